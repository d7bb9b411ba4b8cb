// The extension's manifest agrees with its code: every contributed command is
// registered, menus and trust settings name real commands and settings, the
// entry point is a build entry, and the icon is a 128×128 PNG.
import { strict as assert } from 'node:assert';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

const ROOT = join(__dirname, '..');
const manifest = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8'));
const extensionSource = readdirSync(join(ROOT, 'src', 'extension'))
  .map((name) => readFileSync(join(ROOT, 'src', 'extension', name), 'utf8'))
  .join('\n');
const registered = new Set([...extensionSource.matchAll(/(?:registerCommand|command)\(\s*'([\w.]+)'/g)].map((m) => m[1]));

describe('extension manifest', () => {
  it('registers every contributed command in src/extension, and contributes every registered one', () => {
    const contributed = (manifest.contributes.commands as { command: string }[]).map((c) => c.command);
    assert.ok(contributed.length >= 3);
    assert.deepEqual([...contributed].sort(), [...registered].sort());
  });

  it('names only contributed commands in menus and activation events', () => {
    const contributed = new Set((manifest.contributes.commands as { command: string }[]).map((c) => c.command));
    for (const [menu, entries] of Object.entries(manifest.contributes.menus as Record<string, { command: string }[]>)) {
      for (const entry of entries) assert.ok(contributed.has(entry.command), `${menu} names unknown command ${entry.command}`);
    }
    for (const event of manifest.activationEvents as string[]) {
      if (event.startsWith('onCommand:')) assert.ok(contributed.has(event.slice('onCommand:'.length)), event);
    }
    assert.ok(manifest.activationEvents.includes('onLanguage:typescript'));
    assert.ok(manifest.activationEvents.includes('onLanguage:wakersim'));
    assert.ok(manifest.activationEvents.includes('onWebviewPanel:wakerscope.simulation'), 'the panel serializer needs its activation event');
    assert.match(extensionSource, /PANEL_VIEW_TYPE = 'wakerscope\.simulation'/);
  });

  it('declares limited Workspace Trust, restricting only settings it declares', () => {
    const trust = manifest.capabilities.untrustedWorkspaces;
    assert.equal(trust.supported, 'limited');
    assert.ok(trust.description.length > 20);
    const settings = manifest.contributes.configuration.properties as Record<string, unknown>;
    for (const key of trust.restrictedConfigurations as string[]) assert.ok(key in settings, `restricted setting ${key} is not declared`);
    assert.match(extensionSource, /workspace\.isTrusted/);
  });

  it('points main at a build entry, targets the VS Code the e2e test runs, and contributes the tsserver plugin', () => {
    assert.equal(manifest.main, './dist/main.js');
    assert.match(readFileSync(join(ROOT, 'scripts', 'build.mjs'), 'utf8'), /main: 'src\/main\.ts'/);
    assert.equal(manifest.engines.vscode, '^1.99.0');
    assert.deepEqual(manifest.contributes.typescriptServerPlugins.map((p: { name: string }) => p.name), ['wakerscope']);
  });

  it('has a 128×128 PNG icon, a LICENSE, a CHANGELOG and a marketplace README', () => {
    const icon = readFileSync(join(ROOT, manifest.icon));
    assert.equal(icon.subarray(1, 4).toString('latin1'), 'PNG');
    assert.equal(icon.readUInt32BE(16), 128);
    assert.equal(icon.readUInt32BE(20), 128);
    for (const file of ['LICENSE', 'CHANGELOG.md', 'README.marketplace.md', '.vscodeignore']) assert.ok(existsSync(join(ROOT, file)), file);
    assert.match(readFileSync(join(ROOT, 'LICENSE'), 'utf8'), /^MIT License/);
  });

  it('a walkthrough of three steps, each with shipped media and a way to complete it; its seed is the example', () => {
    const [walkthrough, ...others] = manifest.contributes.walkthroughs as { steps: { title: string; description: string; media: { markdown: string }; completionEvents: string[] }[] }[];
    assert.equal(others.length, 0);
    assert.deepEqual(walkthrough!.steps.map((s) => s.title), ['Open the seed example and see the squiggle', 'Explore its vtable', 'Configure the rules']);
    const shipped = readFileSync(join(ROOT, '.vscodeignore'), 'utf8').split('\n');
    for (const step of walkthrough!.steps) {
      assert.ok(existsSync(join(ROOT, step.media.markdown)), step.media.markdown);
      assert.ok(step.media.markdown.startsWith('media/walkthrough/') && shipped.includes('!media/walkthrough/**'), `${step.media.markdown} is not in the .vsix`);
      assert.ok(step.completionEvents.length > 0, `${step.title} can never complete`);
      // A step's description renders links only: a code span would show its backticks.
      assert.doesNotMatch(step.description, /`/, `${step.title}: a code span in a walkthrough description shows as plain backticks`);
      for (const [, command] of step.description.matchAll(/\]\(command:([\w.]+)/g)) assert.ok(command!.startsWith('workbench.') || registered.has(command!), `${step.title} links to unknown command ${command}`);
    }
    assert.equal(readFileSync(join(ROOT, 'media', 'walkthrough', 'seed-box-waker.ts'), 'utf8'), readFileSync(join(ROOT, 'examples', 'seed-box-waker.ts'), 'utf8'), 'the walkthrough ships a stale copy of the seed example');
  });

  it('activates without onCommand events (VS Code derives them from contributes.commands since 1.74)', () => {
    assert.deepEqual((manifest.activationEvents as string[]).filter((e) => e.startsWith('onCommand:')), []);
  });

  it('contributes the wakerscope task type and its $wakerscope problem matcher', () => {
    assert.deepEqual((manifest.contributes.taskDefinitions as { type: string }[]).map((t) => t.type), ['wakerscope']);
    assert.deepEqual((manifest.contributes.problemMatchers as { name: string; owner: string }[]).map((m) => [m.name, m.owner]), [['wakerscope', 'wakerscope']]);
    assert.match(readFileSync(join(ROOT, 'src', 'extension', 'workspace-check.ts'), 'utf8'), /'\$wakerscope'/);
  });
});
