/**
 * A small client for the real tsserver (`typescript/lib/tsserver.js`), speaking
 * its stdio protocol: requests go out as one JSON object per line, responses and
 * events come back framed with a `Content-Length` header.
 *
 *     const server = TsServer.start({ pluginProbeLocations: [REPO_ROOT], globalPlugins: ['wakerscope'] });
 *     await server.request('open', { file, fileContent });
 *     const diagnostics = await server.request('semanticDiagnosticsSync', { file });
 *     await server.stop();
 *
 * Lines and offsets in the protocol are 1-based; `locationOf`/`offsetOf` convert.
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type * as ts from 'typescript';

export const REPO_ROOT = path.resolve(__dirname, '..', '..');
export const TSSERVER = path.join(REPO_ROOT, 'node_modules', 'typescript', 'lib', 'tsserver.js');

export interface TsServerOptions {
  /** Plugins loaded for every project (`--globalPlugins`). */
  readonly globalPlugins?: readonly string[];
  /** Folders whose `node_modules` tsserver searches for plugins (`--pluginProbeLocations`). */
  readonly pluginProbeLocations?: readonly string[];
  /** Extra environment for the server process. */
  readonly env?: Readonly<Record<string, string>>;
  /** Milliseconds a request may take before it fails. */
  readonly timeoutMs?: number;
}

interface Pending {
  readonly command: string;
  readonly resolve: (body: unknown) => void;
  readonly reject: (error: Error) => void;
  readonly timer: NodeJS.Timeout;
}

export class TsServer {
  /** tsserver's own verbose log: the plugin's messages land here too. */
  readonly logFile: string;
  readonly events: ts.server.protocol.Event[] = [];
  private readonly process: ChildProcessWithoutNullStreams;
  private readonly pending = new Map<number, Pending>();
  private readonly eventWaiters = new Set<(event: ts.server.protocol.Event) => boolean>();
  private readonly timeoutMs: number;
  private buffer = Buffer.alloc(0);
  private seq = 0;
  private exited: Error | undefined;

  private constructor(options: TsServerOptions) {
    this.timeoutMs = options.timeoutMs ?? 30_000;
    this.logFile = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'wakerscope-tsserver-log-')), 'tsserver.log');
    const args = [TSSERVER, '--disableAutomaticTypingAcquisition', '--logVerbosity', 'verbose', '--logFile', this.logFile];
    if (options.globalPlugins?.length) args.push('--globalPlugins', options.globalPlugins.join(','));
    if (options.pluginProbeLocations?.length) args.push('--pluginProbeLocations', options.pluginProbeLocations.join(','));
    this.process = spawn(process.execPath, args, { env: { ...process.env, ...options.env }, stdio: 'pipe' });
    this.process.stdout.on('data', (chunk: Buffer) => this.onData(chunk));
    this.process.stderr.resume();
    this.process.on('exit', (code, signal) => {
      this.exited = new Error(`tsserver exited (code ${code}, signal ${signal}); log: ${this.logFile}`);
      for (const [, pending] of this.pending) {
        clearTimeout(pending.timer);
        pending.reject(this.exited);
      }
      this.pending.clear();
    });
  }

  static start(options: TsServerOptions = {}): TsServer {
    if (!fs.existsSync(TSSERVER)) throw new Error(`tsserver not found at ${TSSERVER}: run npm install`);
    return new TsServer(options);
  }

  /** Send a request and resolve with the response body; a failed response rejects with tsserver's message. */
  request<T = any>(command: string, args?: unknown): Promise<T> {
    if (this.exited) return Promise.reject(this.exited);
    const seq = ++this.seq;
    return new Promise<T>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(seq);
        reject(new Error(`tsserver: no response to '${command}' within ${this.timeoutMs} ms; log: ${this.logFile}`));
      }, this.timeoutMs);
      this.pending.set(seq, { command, resolve: resolve as (body: unknown) => void, reject, timer });
      this.process.stdin.write(JSON.stringify({ seq, type: 'request', command, arguments: args }) + '\n');
    });
  }

  /** Send a request tsserver never answers (e.g. `configurePlugin` answers, `exit` does not). */
  notify(command: string, args?: unknown): void {
    this.process.stdin.write(JSON.stringify({ seq: ++this.seq, type: 'request', command, arguments: args }) + '\n');
  }

  /**
   * The first event (already received or still to come) that `matches`, e.g. the
   * `semanticDiag` event a `geterr` request produces, as editors use it.
   */
  waitForEvent<T extends ts.server.protocol.Event = ts.server.protocol.Event>(matches: (event: ts.server.protocol.Event) => boolean, timeoutMs = this.timeoutMs): Promise<T> {
    const seen = this.events.find(matches);
    if (seen) return Promise.resolve(seen as T);
    return new Promise<T>((resolve, reject) => {
      const waiter = (event: ts.server.protocol.Event): boolean => {
        if (!matches(event)) return false;
        clearTimeout(timer);
        resolve(event as T);
        return true;
      };
      const timer = setTimeout(() => {
        this.eventWaiters.delete(waiter);
        reject(new Error(`tsserver: no matching event within ${timeoutMs} ms; log: ${this.logFile}`));
      }, timeoutMs);
      this.eventWaiters.add(waiter);
    });
  }

  /** Open a file (through `updateOpen`, which, unlike `open`, answers: the caller knows when it is done). */
  async open(file: string, fileContent?: string, projectRootPath?: string): Promise<void> {
    await this.request('updateOpen', { openFiles: [{ file, fileContent, projectRootPath }] });
  }

  /** Replace the whole text of an open file, as an editor does after applying edits. */
  async replaceText(file: string, oldText: string, newText: string): Promise<void> {
    const textChanges = [{ start: locationOf(oldText, 0), end: locationOf(oldText, oldText.length), newText }];
    await this.request('updateOpen', { changedFiles: [{ fileName: file, textChanges }] });
  }

  /** The log so far. */
  log(): string {
    return fs.existsSync(this.logFile) ? fs.readFileSync(this.logFile, 'utf8') : '';
  }

  async stop(): Promise<void> {
    if (this.exited) return;
    const exited = new Promise<void>((resolve) => this.process.once('exit', () => resolve()));
    this.notify('exit');
    const timer = setTimeout(() => this.process.kill(), 5_000);
    await exited;
    clearTimeout(timer);
  }

  private onData(chunk: Buffer): void {
    this.buffer = Buffer.concat([this.buffer, chunk]);
    for (;;) {
      const headerEnd = this.buffer.indexOf('\r\n\r\n');
      if (headerEnd < 0) return;
      const header = this.buffer.subarray(0, headerEnd).toString('ascii');
      const match = /Content-Length: (\d+)/i.exec(header);
      if (!match) throw new Error(`tsserver: bad frame header ${JSON.stringify(header)}`);
      const length = Number(match[1]);
      const bodyStart = headerEnd + 4;
      if (this.buffer.length < bodyStart + length) return;
      const body = this.buffer.subarray(bodyStart, bodyStart + length).toString('utf8');
      this.buffer = this.buffer.subarray(bodyStart + length);
      this.onMessage(JSON.parse(body) as ts.server.protocol.Message);
    }
  }

  private onMessage(message: ts.server.protocol.Message): void {
    if (message.type === 'event') {
      const event = message as ts.server.protocol.Event;
      this.events.push(event);
      for (const waiter of this.eventWaiters) if (waiter(event)) this.eventWaiters.delete(waiter);
      return;
    }
    if (message.type !== 'response') return;
    const response = message as ts.server.protocol.Response;
    const pending = this.pending.get(response.request_seq);
    if (!pending) return;
    this.pending.delete(response.request_seq);
    clearTimeout(pending.timer);
    if (response.success) pending.resolve(response.body);
    else pending.reject(new Error(`tsserver '${pending.command}' failed: ${response.message}`));
  }
}

/** The 1-based protocol location of a 0-based offset in `text`. */
export function locationOf(text: string, offset: number): ts.server.protocol.Location {
  const before = text.slice(0, offset);
  const line = before.split('\n').length;
  return { line, offset: offset - (before.lastIndexOf('\n') + 1) + 1 };
}

/** The 0-based offset in `text` of a 1-based protocol location. */
export function offsetOf(text: string, location: ts.server.protocol.Location): number {
  let offset = 0;
  for (let line = 1; line < location.line; line++) {
    const next = text.indexOf('\n', offset);
    if (next < 0) throw new Error(`line ${location.line} is past the end of the text`);
    offset = next + 1;
  }
  return offset + location.offset - 1;
}

/** Apply protocol code edits to `text` (edits from one file, in any order). */
export function applyCodeEdits(text: string, edits: readonly ts.server.protocol.CodeEdit[]): string {
  const resolved = edits
    .map((edit) => ({ start: offsetOf(text, edit.start), end: offsetOf(text, edit.end), newText: edit.newText }))
    .sort((a, b) => b.start - a.start);
  for (const edit of resolved) text = text.slice(0, edit.start) + edit.newText + text.slice(edit.end);
  return text;
}

/** A project folder in the temp dir: a tsconfig mapping `wakerscope/waker` to this repository, plus `files`. */
/** `plugin`: the tsconfig's wakerscope entry, or null for none. */
export function makeProject(files: Record<string, string>, plugin: object | null = { name: 'wakerscope' }, compilerOptions: object = {}): string {
  const dir = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'wakerscope-tsserver-')));
  const tsconfig = {
    compilerOptions: {
      target: 'ES2022',
      lib: ['ES2022', 'ESNext.Disposable'],
      module: 'preserve',
      moduleResolution: 'bundler',
      strict: true,
      noEmit: true,
      typeRoots: [path.join(REPO_ROOT, 'node_modules', '@types')],
      types: ['node'],
      paths: { 'wakerscope/waker': [path.join(REPO_ROOT, 'src', 'waker', 'index.ts')] },
      ...(plugin ? { plugins: [plugin] } : {}),
      ...compilerOptions,
    },
    include: ['*.ts'],
  };
  fs.writeFileSync(path.join(dir, 'tsconfig.json'), JSON.stringify(tsconfig, null, 2));
  for (const [name, text] of Object.entries(files)) fs.writeFileSync(path.join(dir, name), text);
  return dir;
}
