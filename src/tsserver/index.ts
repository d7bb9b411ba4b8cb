// The TypeScript server plugin: tsserver loads it (VS Code through the
// extension's `typescriptServerPlugins`, other editors through the tsconfig's
// `plugins` entry) and calls it with its own `typescript` instance. It decorates
// the language service with the analyzer's findings, fixes and hovers, and
// nothing else: every rule lives in src/analysis.
//
// Loading: tsserver resolves a plugin named `wakerscope` from
// `<probe location>/node_modules/wakerscope` (Node10 resolution, `main` field).
// Installed from npm, that is the package itself, whose main (src/main.ts)
// hands tsserver this bundle. VS Code passes the extension's folder as the probe
// location, so the build (and the .vsix) also carries node_modules/wakerscope, a
// stub whose index.js re-exports this bundle (`module.exports = init`).
// The tsconfig entry `{ "name": "wakerscope", "rules": {...} }` and the global
// plugin share that name, so tsserver loads it once, with the tsconfig entry.
//
// Configuration: the tsconfig entry's rules (read from the project's compiler
// options) with the editor's `configurePlugin` settings `{ enable, rules }` on top.
//
// Whatever goes wrong here is logged and swallowed: TypeScript's own results
// always come back.

import type * as ts from 'typescript';
import {
  CONFIG_ERROR_CODE,
  ConfigError,
  configFromCompilerOptions,
  configFromPluginEntry,
  hoverAt,
  ignoreFix,
  IncrementalAnalyzer,
  isUserFile,
  mergeConfig,
  RULES,
  type AnalyzerConfig,
  type Finding,
  type TypeScript,
} from '../analysis/index';

/** What the VS Code extension sends with `configurePlugin`. Rules here win over the tsconfig's. */
interface EditorSettings {
  readonly enable?: unknown;
  readonly rules?: unknown;
}

/** The rules' diagnostic codes: tsserver asks this plugin, not TypeScript, for their fixes. */
const WAKERSCOPE_CODES = new Set(Object.values(RULES).map((rule) => rule.code));

/** Test hook: methods named in this variable throw inside the plugin, to prove TypeScript keeps working. */
const FAULTS = new Set((process.env.WAKERSCOPE_TSSERVER_FAULT ?? '').split(',').filter(Boolean));

/** TypeScript instances whose code fix registry already knows our codes. */
const registeredWith = new WeakSet<object>();

/**
 * Our decorated services, to the service each decorates. When a tsconfig change
 * reloads a project, tsserver creates the plugin again around its current
 * service, which is our previous decoration: we decorate the original instead,
 * or every finding would be reported twice.
 */
const undecorated = new WeakMap<ts.LanguageService, ts.LanguageService>();

interface CachedFile {
  readonly version: string;
  readonly program: ts.Program;
  readonly generation: number;
  /** What the analyzer returned: the same array again means the same findings. */
  readonly analysed: readonly Finding[];
  readonly findings: readonly Finding[];
  readonly diagnostics: readonly ts.Diagnostic[];
}

const NO_FINDINGS: readonly Finding[] = [];

function init(modules: { typescript: TypeScript }): ts.server.PluginModule {
  const typescript = modules.typescript;
  registerFixableCodes(typescript);
  let plugin: WakerscopePlugin | undefined;
  return {
    create(info) {
      plugin = new WakerscopePlugin(typescript, info);
      return plugin.decorate();
    },
    // tsserver calls this on every plugin module of every project (one module per project).
    onConfigurationChanged(settings: EditorSettings) {
      plugin?.configure(settings);
      plugin?.refreshDiagnostics();
    },
  };
}

/**
 * Without this, tsserver's answer to `getSupportedCodeFixes` with no file (what
 * VS Code asks once) lacks our codes, and the editor never asks us for fixes.
 * The registration offers nothing itself: our language service adds the fixes.
 */
function registerFixableCodes(typescript: TypeScript): void {
  const codefix = (typescript as unknown as { codefix?: { registerCodeFix?: (registration: object) => void } }).codefix;
  if (registeredWith.has(typescript) || typeof codefix?.registerCodeFix !== 'function') return;
  registeredWith.add(typescript);
  codefix.registerCodeFix({ errorCodes: [...WAKERSCOPE_CODES], getCodeActions: () => [] });
}

class WakerscopePlugin {
  private readonly cache = new Map<string, CachedFile>();
  /** Re-analyses only the function bodies an edit touched (see src/analysis/incremental.ts). */
  private readonly analyzer: IncrementalAnalyzer;
  /** Bumped when the configuration changes, so cached results from the old one are not reused. */
  private generation = 0;
  private enabled = true;
  private config: AnalyzerConfig = { rules: {} };
  private configError: string | undefined;

  /** The language service we decorate and ask for TypeScript's own results. */
  private readonly inner: ts.LanguageService;

  constructor(
    private readonly ts: TypeScript,
    private readonly info: ts.server.PluginCreateInfo,
  ) {
    this.inner = undecorated.get(info.languageService) ?? info.languageService;
    this.analyzer = new IncrementalAnalyzer(ts);
    // With configurePlugin overrides tsserver hands us those instead of the
    // tsconfig entry; the tsconfig's rules are read from the compiler options below either way.
    this.configure(info.config as EditorSettings | undefined);
  }

  configure(settings: EditorSettings | undefined): void {
    this.generation++;
    this.configError = undefined;
    this.enabled = settings?.enable !== false;
    const project = this.info.project;
    const tsconfig = project.projectKind === this.ts.server.ProjectKind.Configured ? project.getProjectName() : 'tsconfig.json';
    let config: AnalyzerConfig = { rules: {} };
    try {
      config = configFromCompilerOptions({ plugins: project.getCompilerOptions().plugins }, tsconfig);
      config = mergeConfig(config, configFromPluginEntry(settings, 'wakerscope settings').rules);
    } catch (error) {
      if (!(error instanceof ConfigError)) throw error;
      this.configError = error.message;
      this.log(`configuration error: ${error.message}`);
    }
    this.config = config;
  }

  /** Ask the editor to fetch diagnostics again (after a configuration change). */
  refreshDiagnostics(): void {
    this.info.project.refreshDiagnostics();
  }

  decorate(): ts.LanguageService {
    const inner = this.inner;
    const proxy: ts.LanguageService = Object.create(null);
    undecorated.set(proxy, inner);
    for (const key of Object.keys(inner) as (keyof ts.LanguageService)[]) {
      const member = inner[key];
      // @ts-expect-error: every member is copied under its own key, so the types match.
      proxy[key] = typeof member === 'function' ? member.bind(inner) : member;
    }

    proxy.getSemanticDiagnostics = (fileName) => {
      const own = inner.getSemanticDiagnostics(fileName);
      const started = performance.now();
      const ours = this.guard('getSemanticDiagnostics', () => this.resultsFor(fileName)?.diagnostics ?? []);
      // The time we add to the request, for users chasing a slow editor (and bench/tsserver-latency.ts).
      if (this.verbose) this.log(`getSemanticDiagnostics ${fileName}: ${(performance.now() - started).toFixed(3)} ms added, ${ours?.length ?? 0} diagnostics`);
      return ours && ours.length > 0 ? [...own, ...ours] : own;
    };

    proxy.getSupportedCodeFixes = (fileName) => {
      const own = inner.getSupportedCodeFixes(fileName);
      const ours = [...WAKERSCOPE_CODES].map(String).filter((code) => !own.includes(code));
      return [...own, ...ours];
    };

    // TypeScript is asked about every code, ours included: a code number may be
    // both ours and TypeScript's, and a code with no fix of TypeScript's costs it nothing.
    proxy.getCodeFixesAtPosition = (fileName, start, end, errorCodes, formatOptions, preferences) => {
      const own = inner.getCodeFixesAtPosition(fileName, start, end, errorCodes, formatOptions, preferences);
      if (!errorCodes.some((code) => WAKERSCOPE_CODES.has(code))) return own;
      const ours = this.guard('getCodeFixesAtPosition', () => this.fixesAt(fileName, start, end, errorCodes));
      return ours && ours.length > 0 ? [...own, ...ours] : own;
    };

    proxy.getQuickInfoAtPosition = (fileName, position, ...rest) => {
      const own = inner.getQuickInfoAtPosition(fileName, position, ...rest);
      return this.guard('getQuickInfoAtPosition', () => this.withHover(own, fileName, position)) ?? own;
    };

    return proxy;
  }

  /** Results of files a new program no longer holds would keep the old program alive: drop them. */
  private forgetFilesOutside(program: ts.Program): void {
    for (const [fileName, entry] of this.cache) {
      if (entry.program !== program && !program.getSourceFile(fileName)) this.cache.delete(fileName);
    }
  }

  /** Findings and diagnostics for one file, recomputed only when its version, the program or the configuration changed. */
  private resultsFor(fileName: string): CachedFile | undefined {
    if (!this.enabled) return undefined;
    this.injectFault('analyze');
    const program = this.inner.getProgram();
    const file = program?.getSourceFile(fileName);
    if (!program || !file) return undefined;
    const version = this.info.languageServiceHost.getScriptVersion(fileName);
    const cached = this.cache.get(fileName);
    if (cached && cached.version === version && cached.program === program && cached.generation === this.generation) return cached;
    if (cached?.program !== program) this.forgetFilesOutside(program);

    const analysed = isUserFile(program, file) ? this.analyzer.analyzeFile(program, file, this.config) : NO_FINDINGS;
    // After an edit elsewhere that nothing here read, the analyzer hands back what it did: so are the diagnostics, if they point into the same file versions.
    if (cached && cached.analysed === analysed && cached.generation === this.generation && this.sameFiles(cached.diagnostics, program)) {
      const entry: CachedFile = { ...cached, version, program };
      this.cache.set(fileName, entry);
      return entry;
    }
    const findings = analysed.filter((f) => f.span.file === file.fileName);
    const diagnostics = findings.map((finding) => this.toDiagnostic(program, file, finding));
    if (this.configError) diagnostics.unshift(this.configDiagnostic(file, this.configError));
    const entry: CachedFile = { version, program, generation: this.generation, analysed, findings, diagnostics };
    this.cache.set(fileName, entry);
    return entry;
  }

  /** Whether every file the diagnostics name (their own and their related locations') is the version `program` holds. */
  private sameFiles(diagnostics: readonly ts.Diagnostic[], program: ts.Program): boolean {
    const current = (file: ts.SourceFile | undefined): boolean => file === undefined || program.getSourceFile(file.fileName) === file;
    return diagnostics.every((diagnostic) => current(diagnostic.file) && (diagnostic.relatedInformation ?? []).every((related) => current(related.file)));
  }

  private toDiagnostic(program: ts.Program, file: ts.SourceFile, finding: Finding): ts.Diagnostic {
    const ts = this.ts;
    const code = RULES[finding.rule].code;
    const category = finding.severity === 'error' ? ts.DiagnosticCategory.Error : ts.DiagnosticCategory.Warning;
    const help = finding.help ? `\nhelp: ${finding.help}` : '';
    return {
      file,
      start: finding.span.start,
      length: finding.span.end - finding.span.start,
      messageText: `${finding.message} (${finding.rule})${help}`,
      category,
      code,
      source: 'wakerscope',
      relatedInformation: finding.related.map((related) => ({
        file: program.getSourceFile(related.file),
        start: related.start,
        length: related.end - related.start,
        messageText: related.message,
        category: ts.DiagnosticCategory.Message,
        code,
      })),
    };
  }

  private configDiagnostic(file: ts.SourceFile, message: string): ts.Diagnostic {
    return {
      file,
      start: 0,
      length: 0,
      messageText: `Wakerscope is using its default rule levels: ${message}`,
      category: this.ts.DiagnosticCategory.Error,
      code: CONFIG_ERROR_CODE,
      source: 'wakerscope',
    };
  }

  private fixesAt(fileName: string, start: number, end: number, errorCodes: readonly number[]): ts.CodeFixAction[] {
    const results = this.resultsFor(fileName);
    if (!results) return [];
    const file = results.program.getSourceFile(fileName);
    const wanted = new Set(errorCodes);
    const actions: ts.CodeFixAction[] = [];
    for (const finding of results.findings) {
      if (!wanted.has(RULES[finding.rule].code) || !overlaps(finding.span.start, finding.span.end, start, end)) continue;
      // The finding's own fixes first; silencing it is the last resort.
      const ignore = file && ignoreFix(file, finding);
      for (const fix of ignore ? [...finding.fixes, ignore] : finding.fixes) {
        const changes = new Map<string, ts.TextChange[]>();
        for (const edit of fix.edits) {
          const list = changes.get(edit.file) ?? [];
          list.push({ span: { start: edit.start, length: edit.end - edit.start }, newText: edit.newText });
          changes.set(edit.file, list);
        }
        actions.push({
          fixName: `wakerscope:${finding.rule}`,
          description: fix.title,
          changes: [...changes].map(([file, textChanges]) => ({ fileName: file, textChanges })),
        });
      }
    }
    return actions;
  }

  private withHover(own: ts.QuickInfo | undefined, fileName: string, position: number): ts.QuickInfo | undefined {
    if (!this.enabled) return own;
    this.injectFault('hover');
    const program = this.inner.getProgram();
    const file = program?.getSourceFile(fileName);
    if (!program || !file || !isUserFile(program, file)) return own;
    const hover = hoverAt(this.ts, program, file, position);
    if (!hover) return own;
    const part: ts.SymbolDisplayPart = { kind: 'text', text: hover.text };
    if (own) {
      const separator: ts.SymbolDisplayPart[] = own.documentation?.length ? [{ kind: 'lineBreak', text: '\n\n' }] : [];
      return { ...own, documentation: [...(own.documentation ?? []), ...separator, part] };
    }
    return {
      kind: this.ts.ScriptElementKind.unknown,
      kindModifiers: '',
      textSpan: { start: hover.start, length: hover.end - hover.start },
      displayParts: [],
      documentation: [part],
    };
  }

  /** Run our part of a request; on any exception, log it and let TypeScript's answer stand. */
  private guard<T>(method: string, work: () => T): T | undefined {
    try {
      return work();
    } catch (error) {
      this.log(`${method} failed, TypeScript's own result is returned: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
      return undefined;
    }
  }

  private injectFault(point: string): void {
    if (FAULTS.has(point)) throw new Error(`injected fault at '${point}' (WAKERSCOPE_TSSERVER_FAULT)`);
  }

  private get verbose(): boolean {
    return this.info.project.projectService.logger.hasLevel(this.ts.server.LogLevel.verbose);
  }

  private log(message: string): void {
    this.info.project.projectService.logger.info(`[wakerscope] ${message}`);
  }
}

function overlaps(aStart: number, aEnd: number, bStart: number, bEnd: number): boolean {
  // An empty range (a cursor) touching a span counts.
  return aStart <= bEnd && bStart <= aEnd;
}

export = init;
