// Which files can see an edit to a module's declarations, and what of them
// (for `IncrementalAnalyzer`, whose header argues the region-level part).
//
// Why following names is enough. What another file's analysis sees of module A
// is the checker's types of A's declarations, and a declaration's type is
// written in its skeleton text (opaque regions add nothing to any type) and in
// the declarations that text names, by identifier, in turn: a type reference,
// `typeof x`, a heritage clause, a called function, an import type's last
// name. So an edit changes the types of the top-level declarations whose text
// changed and of those whose text names a changed one, in A and then in every
// file that imports one of those names, followed through imports and
// re-exports. Names are matched as words, wherever they occur in a statement
// (strings and property names included): a false match only costs reuse. Two
// kinds of statement reach further than the names they declare:
//   - top-level code (an expression statement, `if`, `for`, a block: no
//     declaration) narrows what follows it (an assertion call, an `if` that
//     throws) and declares `var`s inside blocks: all it mentions counts as
//     declared by it;
//   - any statement that mentions a module-level `let`, `var` or array `const`
//     (the file's shared names) may evolve or narrow it (`arr.push(x)`,
//     `x = y`): those count as declared by it too.
// A changed statement, or one that names a changed name, changes the regions
// inside it (a body reads its signature and `this`), and a region whose text
// names a changed name changes; outside regions, a statement of code that
// names one (anything but an import or a re-export) makes the file's own
// analysis whole. Whatever this cannot follow answers undefined (every file
// analysed whole): `export =`, an `export *` added or removed, a module seen
// otherwise than by an import or re-export declaration (a dynamic import, an
// import type: the statement holding it counts as changed, in a module; in a
// script or a file with ambient declarations, whose names are global, the
// whole answer is unknown), a JavaScript file that sees a change (JSDoc types
// live in comments), a file whose imports the program does not list, an edit
// to a `@jsx` pragma (it changes how the file's JSX is typed).

import type * as ts from 'typescript';
import { identifiersPattern } from './mentions';
import { checkerOf } from './checker';
import type { TypeScript } from './types';

/** A top-level statement of one version of a file, read while its syntax tree was intact (tsserver's incremental parse later moves the nodes). */
export interface StatementShape {
  /** Its text range, leading trivia included. */
  readonly pos: number;
  readonly end: number;
  /**
   * The names it declares; for an export declaration the names it exports
   * (`*` for `export *`), `default` for a default export, `export=` for `export =`.
   */
  readonly names: readonly string[];
  /**
   * `import`: binds or re-exports names of another module (they are followed
   * from that module); `export`: a local export list; `code`: top-level code
   * (see the header); else `declaration`. The first two run nothing.
   */
  readonly role: 'declaration' | 'import' | 'export' | 'code';
}

/** What this module reads of one version of a file: its skeleton's parts. */
export interface DeclarationsOf {
  readonly file: ts.SourceFile;
  readonly regions: readonly { readonly start: number; readonly end: number; readonly kind: string }[];
  readonly texts: readonly string[];
  readonly sharedNames: readonly string[];
  readonly statements: readonly StatementShape[];
}

/** For a file that sees an edit elsewhere: whether its own analysis must be whole, and its regions whose results may differ. */
export interface SeenChange {
  readonly whole: boolean;
  readonly regions: ReadonlySet<number>;
}

/**
 * Items of two versions of a file (its statements, its regions) by index,
 * each earlier one to its later counterpart and back. In typed arrays: after
 * every declaration edit of a 3,000-line file, a Map each way for its ~540
 * statements and regions was most of the garbage of following the edit (and
 * garbage is what makes a collection land inside a keystroke's request).
 */
export class IndexMap {
  private readonly laterOf: Int32Array;
  private readonly earlierOf: Int32Array;
  /** How many items have a counterpart. */
  size = 0;

  constructor(earlierCount: number, laterCount: number) {
    this.laterOf = new Int32Array(earlierCount).fill(-1);
    this.earlierOf = new Int32Array(laterCount).fill(-1);
  }

  set(earlier: number, later: number): void {
    if (this.laterOf[earlier] === -1) this.size++;
    this.laterOf[earlier] = later;
    this.earlierOf[later] = earlier;
  }

  /** The later index of an earlier item, or undefined (none, or out of range). */
  later(earlier: number): number | undefined {
    return counterpart(this.laterOf, earlier);
  }

  /** The earlier index of a later item, or undefined (none, or out of range). */
  earlier(later: number): number | undefined {
    return counterpart(this.earlierOf, later);
  }
}

/** `indices[at]` when `at` is in range and has one: a typed array read out of range is a slow path in V8 (and answers `undefined`, not a number). */
function counterpart(indices: Int32Array, at: number): number | undefined {
  if (at < 0 || at >= indices.length) return undefined;
  const index = indices[at]!;
  return index < 0 ? undefined : index;
}

/**
 * For an edited module: its earlier version's regions whose results may
 * differ, and where each other one is now (the same text in an unchanged
 * declaration that names nothing changed: what reads it reads the same).
 */
export interface Renumbered {
  readonly changed: ReadonlySet<number>;
  readonly now: IndexMap;
  /** Each unchanged statement, earlier and later: the same declaration (its text from its first token, bodies and typed initializers aside), naming nothing changed. */
  readonly statements: IndexMap;
}

/** The shapes of a file's top-level statements (cheap: no text is read). */
export function statementShapes(ts: TypeScript, file: ts.SourceFile): StatementShape[] {
  const shapes: StatementShape[] = [];
  for (const statement of file.statements) {
    const { names, role } = namesDeclared(ts, statement);
    shapes.push({ pos: statement.pos, end: statement.end, names, role });
  }
  return shapes;
}

function namesDeclared(ts: TypeScript, statement: ts.Statement): { names: string[]; role: StatementShape['role'] } {
  const { SyntaxKind } = ts;
  switch (statement.kind) {
    case SyntaxKind.VariableStatement: {
      const names: string[] = [];
      for (const declaration of (statement as ts.VariableStatement).declarationList.declarations) bindingNames(ts, declaration.name, names);
      return { names, role: 'declaration' };
    }
    case SyntaxKind.FunctionDeclaration:
    case SyntaxKind.ClassDeclaration:
    case SyntaxKind.InterfaceDeclaration:
    case SyntaxKind.TypeAliasDeclaration:
    case SyntaxKind.EnumDeclaration: {
      const name = (statement as ts.FunctionDeclaration | ts.ClassDeclaration | ts.InterfaceDeclaration | ts.TypeAliasDeclaration | ts.EnumDeclaration).name;
      const names = name ? [name.text] : [];
      if (isDefaultExport(ts, statement)) names.push('default');
      return { names, role: 'declaration' };
    }
    case SyntaxKind.ModuleDeclaration: {
      const declaration = statement as ts.ModuleDeclaration;
      if (declaration.name.kind === SyntaxKind.Identifier && declaration.name.text !== 'global') return { names: [declaration.name.text], role: 'declaration' };
      // `declare global { … }`, `declare module 'x' { … }`: what it declares merges by name elsewhere.
      const body = declaration.body;
      const inner = body && body.kind === SyntaxKind.ModuleBlock ? (body as ts.ModuleBlock).statements.flatMap((nested) => namesDeclared(ts, nested).names) : [];
      return { names: inner, role: 'declaration' };
    }
    case SyntaxKind.ImportDeclaration: {
      const clause = (statement as ts.ImportDeclaration).importClause;
      const names: string[] = [];
      if (clause?.name) names.push(clause.name.text);
      const bindings = clause?.namedBindings;
      if (bindings?.kind === SyntaxKind.NamespaceImport) names.push(bindings.name.text);
      else if (bindings) for (const element of bindings.elements) names.push(element.name.text);
      return { names, role: 'import' };
    }
    case SyntaxKind.ImportEqualsDeclaration: {
      const declaration = statement as ts.ImportEqualsDeclaration;
      return { names: [declaration.name.text], role: declaration.moduleReference.kind === SyntaxKind.ExternalModuleReference ? 'import' : 'declaration' };
    }
    case SyntaxKind.ExportDeclaration: {
      const { exportClause: clause, moduleSpecifier } = statement as ts.ExportDeclaration;
      const role = moduleSpecifier ? 'import' : 'export';
      if (!clause) return { names: ['*'], role };
      if (clause.kind === SyntaxKind.NamespaceExport) return { names: [moduleExportName(clause.name)], role };
      return { names: clause.elements.map((element) => moduleExportName(element.name)), role };
    }
    case SyntaxKind.ExportAssignment:
      return { names: [(statement as ts.ExportAssignment).isExportEquals ? 'export=' : 'default'], role: 'declaration' };
    default:
      return { names: [], role: 'code' };
  }
}

function isDefaultExport(ts: TypeScript, statement: ts.Statement): boolean {
  const modifiers = ts.canHaveModifiers(statement) ? ts.getModifiers(statement) : undefined;
  if (modifiers) for (const modifier of modifiers) if (modifier.kind === ts.SyntaxKind.DefaultKeyword) return true;
  return false;
}

function bindingNames(ts: TypeScript, name: ts.BindingName, into: string[]): void {
  if (ts.isIdentifier(name)) into.push(name.text);
  else for (const element of name.elements) if (!ts.isOmittedExpression(element)) bindingNames(ts, element.name, into);
}

/** `a` in `export { a }`, or a string name (`export { x as 'a b' }`). */
function moduleExportName(name: ts.ModuleExportName): string {
  return name.text;
}

/**
 * A comment that changes what the statements after it mean: a `@jsx…` pragma
 * (`@jsx`, `@jsxFrag`, `@jsxImportSource`, `@jsxRuntime`: how JSX is typed).
 * The compiler reads other comments, but they change no type: `@ts-…`
 * directives only silence its diagnostics, and a `///` directive changes
 * which files the program holds (and in what order), which is compared anyway.
 */
export const JSX_PRAGMA = /@jsx/i;

/** Identifier-like words of a text (keywords and words in strings and comments too: a false match only costs reuse). */
const WORDS = /[\p{ID_Start}$_][\p{ID_Continue}$\u200c\u200d]*/gu;

/** The words of each statement's text without its body and typed regions (whose text no declaration's type reads), cached per version. */
class Statements {
  private readonly keys: string[] = [];
  private readonly words: (ReadonlySet<string> | undefined)[] = [];
  private pragmaText: string | undefined;

  constructor(readonly of: DeclarationsOf) {}

  /** The `@jsx…` pragmas between statements (`JSX_PRAGMA`), with the comments they are in (a version is compared with the one before it and then the one after it: kept). */
  pragmas(): string {
    this.pragmaText ??= this.findPragmas();
    return this.pragmaText;
  }

  private findPragmas(): string {
    const { text } = this.of.file;
    const between: string[] = [];
    let end = 0;
    for (const { pos } of this.of.statements) {
      const trivia = text.slice(pos, skipTrivia(text, pos, text.length));
      if (JSX_PRAGMA.test(trivia)) between.push(trivia);
      end = pos;
    }
    const last = this.of.statements[this.of.statements.length - 1];
    const tail = text.slice(last ? last.end : end);
    return JSX_PRAGMA.test(tail) ? [...between, tail].join('\0') : between.join('\0');
  }

  /** The statement's text from its first token, its body and typed regions blanked out (equal keys: the same declaration). */
  key(index: number): string {
    let key = this.keys[index];
    if (key === undefined) {
      const { pos, end } = this.of.statements[index]!;
      const text = this.of.file.text;
      let at = skipTrivia(text, pos, end);
      key = '';
      const { regions } = this.of;
      for (let i = firstRegionFrom(regions, pos); i < regions.length && regions[i]!.start < end; i++) {
        const region = regions[i]!;
        if (region.kind !== 'body' && region.kind !== 'typed') continue;
        key += `${text.slice(at, region.start)}\u0000${region.kind}\u0000`;
        at = region.end;
      }
      key += text.slice(at, end);
      this.keys[index] = key;
    }
    return key;
  }

  /** Its words; undefined when it may spell one with a unicode escape (then it names anything). */
  wordsOf(index: number): ReadonlySet<string> | undefined {
    if (!(index in this.words)) {
      const key = this.key(index);
      this.words[index] = key.includes('\\u') ? undefined : new Set(key.match(WORDS));
    }
    return this.words[index];
  }

  /** Takes the words of a statement of another version with the same key (`key`), if known there: the same text has the same words. */
  shareWords(index: number, from: Statements, fromIndex: number): void {
    if (!(index in this.words) && fromIndex in from.words) this.words[index] = from.words[fromIndex];
  }
}

/** Per file version, its statements' keys and words (kept while the version is). */
const CACHE = new WeakMap<DeclarationsOf, Statements>();
function statementsOf(of: DeclarationsOf): Statements {
  let statements = CACHE.get(of);
  if (!statements) CACHE.set(of, (statements = new Statements(of)));
  return statements;
}

/** Past whitespace and comments from `pos` (not beyond `end`). */
export function skipTrivia(text: string, pos: number, end: number): number {
  let at = pos;
  while (at < end) {
    const code = text.charCodeAt(at);
    if (code === 0x2f /* / */ && text.charCodeAt(at + 1) === 0x2f) {
      while (at < end && text.charCodeAt(at) !== 10 && text.charCodeAt(at) !== 13) at++;
    } else if (code === 0x2f && text.charCodeAt(at + 1) === 0x2a /* * */) {
      const close = text.indexOf('*/', at + 2);
      if (close < 0 || close + 2 > end) return at;
      at = close + 2;
    } else if (/\s/.test(text[at]!)) at++;
    else return at;
  }
  return at;
}

/** What a statement that changed, or names a changed name, changes in turn: the names it declares (code: everything it mentions) and the shared names it mentions. */
function namesChangedBy(statements: Statements, index: number, into: Set<string>): void {
  const shape = statements.of.statements[index]!;
  const words = statements.wordsOf(index);
  if (shape.role === 'code') words?.forEach((word) => into.add(word));
  else shape.names.forEach((name) => into.add(name));
  if (words) for (const name of statements.of.sharedNames) if (words.has(name)) into.add(name);
}

function mentionsAny(words: ReadonlySet<string> | undefined, names: ReadonlySet<string>): boolean {
  if (!words) return names.size > 0;
  for (const name of names) if (words.has(name)) return true;
  return false;
}

/**
 * The names an edit of a module changed (see the header): those declared by
 * its statements whose text changed, old and new; and which old statement
 * each unchanged new one is (by index). Undefined when the edit added or
 * removed an `export *`, or the module has an `export =`.
 */
function changedByEdit(before: DeclarationsOf, after: DeclarationsOf): { names: Set<string>; statements: Set<number>; was: IndexMap } | undefined {
  const old = statementsOf(before);
  const now = statementsOf(after);
  if (old.pragmas() !== now.pragmas()) return undefined;
  const unmatched = new Map<string, number[]>();
  for (let index = before.statements.length - 1; index >= 0; index--) {
    const key = old.key(index);
    const list = unmatched.get(key);
    if (list) list.push(index);
    else unmatched.set(key, [index]);
  }
  const names = new Set<string>();
  const changed = new Set<number>();
  const was = new IndexMap(before.statements.length, after.statements.length);
  after.statements.forEach((_, index) => {
    const earlier = unmatched.get(now.key(index))?.pop();
    if (earlier === undefined) changed.add(index);
    else {
      was.set(earlier, index);
      now.shareWords(index, old, earlier);
    }
  });
  for (const indices of unmatched.values()) for (const index of indices) namesChangedBy(old, index, names);
  for (const index of changed) namesChangedBy(now, index, names);
  const shapes = [...before.statements, ...after.statements];
  if (names.has('*') || shapes.some((shape) => shape.names.includes('export='))) return undefined;
  return { names, statements: changed, was };
}

/** Within one file: every statement that names a changed name changes too, until nothing more does; the statements changed. */
function spread(statements: Statements, names: Set<string>, changed: Set<number>): void {
  for (const index of changed) namesChangedBy(statements, index, names);
  for (let grew = true; grew; ) {
    grew = false;
    statements.of.statements.forEach((_, index) => {
      // An import's names follow from its module, not from what its text mentions.
      if (changed.has(index) || statements.of.statements[index]!.role === 'import' || !mentionsAny(statements.wordsOf(index), names)) return;
      changed.add(index);
      const before = names.size;
      namesChangedBy(statements, index, names);
      grew ||= names.size > before;
    });
  }
}

/**
 * Which files see the declaration edits of `edited` (each an isolated module's
 * version before and after, the skeleton changed), and what each sees (see
 * the header), by file name; files not listed see nothing. Undefined when
 * that cannot be followed: then every file must be analysed whole.
 */
export function filesSeeing(
  ts: TypeScript,
  program: ts.Program,
  edited: readonly { readonly before: DeclarationsOf; readonly after: DeclarationsOf }[],
  declarationsOf: (file: ts.SourceFile) => DeclarationsOf,
  isIsolatedModule: (file: ts.SourceFile) => boolean,
): { readonly seeing: ReadonlyMap<string, SeenChange>; readonly edited: ReadonlyMap<string, Renumbered> } | undefined {
  const { SyntaxKind } = ts;
  const modulesNamed = moduleResolution(program);
  // Who imports whom: per module, the specifiers naming it, in any file.
  const importers = new Map<ts.SourceFile, { file: ts.SourceFile; specifier: ts.StringLiteralLike }[]>();
  for (const file of program.getSourceFiles()) {
    // `imports` is the program's own list of a file's module names (not in the public typings).
    const specifiers = (file as ts.SourceFile & { readonly imports?: readonly ts.StringLiteralLike[] }).imports;
    if (!specifiers) return undefined;
    for (const specifier of specifiers) {
      for (const target of modulesNamed(specifier, file)) {
        let list = importers.get(target);
        if (!list) importers.set(target, (list = []));
        list.push({ file, specifier });
      }
    }
  }

  /** Per file reached: the names whose meaning may have changed (its own, and the other modules' it re-exports), and its changed statements. */
  const reached = new Map<ts.SourceFile, { names: Set<string>; statements: Set<number>; regions: Set<number> }>();
  const queue: ts.SourceFile[] = [];
  const matches = new Map<ts.SourceFile, { before: DeclarationsOf; after: DeclarationsOf; was: IndexMap }>();
  for (const { before, after } of edited) {
    const changed = changedByEdit(before, after);
    if (!changed) return undefined;
    spread(statementsOf(after), changed.names, changed.statements);
    reached.set(after.file, { names: changed.names, statements: changed.statements, regions: new Set() });
    matches.set(after.file, { before, after, was: changed.was });
    queue.push(after.file);
  }
  for (let module = queue.shift(); module; module = queue.shift()) {
    const exported = reached.get(module)!.names;
    if (exported.size === 0) continue;
    // `import x = require(…)` and a default import may name what `export =` assigns: not followed.
    if (declarationsOf(module).statements.some((shape) => shape.names.includes('export='))) return undefined;
    for (const { file, specifier } of importers.get(module) ?? []) {
      const seen = reached.get(file) ?? { names: new Set<string>(), statements: new Set<number>(), regions: new Set<number>() };
      const declarations = declarationsOf(file);
      const statements = statementsOf(declarations);
      const before = seen.names.size + seen.statements.size;
      const names = new Set<string>();
      const parent = specifier.parent;
      if (parent.kind === SyntaxKind.ImportDeclaration && (parent as ts.ImportDeclaration).moduleSpecifier === specifier) {
        const clause = (parent as ts.ImportDeclaration).importClause;
        if (clause?.name && exported.has('default')) names.add(clause.name.text);
        const bindings = clause?.namedBindings;
        if (bindings?.kind === SyntaxKind.NamespaceImport) names.add(bindings.name.text);
        else if (bindings) for (const element of bindings.elements) if (exported.has(moduleExportName(element.propertyName ?? element.name))) names.add(element.name.text);
      } else if (parent.kind === SyntaxKind.ExportDeclaration && (parent as ts.ExportDeclaration).moduleSpecifier === specifier) {
        const clause = (parent as ts.ExportDeclaration).exportClause;
        if (!clause) exported.forEach((name) => names.add(name));
        else if (clause.kind === SyntaxKind.NamespaceExport) names.add(moduleExportName(clause.name));
        else for (const element of clause.elements) if (exported.has(moduleExportName(element.propertyName ?? element.name))) names.add(moduleExportName(element.name));
      } else if (parent.kind === SyntaxKind.ExternalModuleReference) {
        names.add((parent.parent as ts.ImportEqualsDeclaration).name.text);
      } else {
        // A dynamic import or an import type: whatever it is used for is in the statement holding it, and in the region.
        const index = declarations.statements.findIndex((shape) => shape.pos <= specifier.pos && specifier.end <= shape.end);
        if (index < 0) return undefined;
        seen.statements.add(index);
        declarations.regions.forEach((region, i) => {
          if (region.start <= specifier.pos && specifier.end <= region.end) seen.regions.add(i);
        });
      }
      names.forEach((name) => seen.names.add(name));
      if (seen.names.size + seen.statements.size === before) continue;
      if (!isTypeScript(file) || !isIsolatedModule(file)) return undefined; // JSDoc types are comments; a script's names are global
      spread(statements, seen.names, seen.statements);
      reached.set(file, seen);
      queue.push(file);
    }
  }

  const seeing = new Map<string, SeenChange>();
  const renumbered = new Map<string, Renumbered>();
  for (const [file, seen] of reached) {
    const match = matches.get(file);
    if (match) {
      renumbered.set(file.fileName, renumber(match.before, match.after, match.was, seen.statements, identifiersPattern(seen.names)));
      continue;
    }
    const declarations = declarationsOf(file);
    let whole = false;
    for (const index of seen.statements) {
      const shape = declarations.statements[index]!;
      if (shape.role === 'declaration' || shape.role === 'code') whole = true;
      for (let i = firstRegionFrom(declarations.regions, shape.pos); i < declarations.regions.length && declarations.regions[i]!.start < shape.end; i++) seen.regions.add(i);
    }
    const pattern = identifiersPattern(seen.names);
    declarations.texts.forEach((text, i) => {
      if (pattern && (pattern.test(text) || text.includes('\\u'))) seen.regions.add(i);
    });
    seeing.set(file.fileName, { whole, regions: seen.regions });
  }
  return { seeing, edited: renumbered };
}

/**
 * The files a module name in `file` may name. The program's own resolution
 * (`getResolvedModuleFromModuleSpecifier`, not in the public typings) is a
 * look-up; the checker's answer (`getSymbolAtLocation`) costs far more, a
 * module resolved for each of the program's imports on every declaration
 * edit. The checker takes the resolved file unless an ambient module
 * (`declare module 'x'`, a pattern) takes the name first or it refuses the
 * file (a script, JSX without `jsx`): then a file is counted an importer it
 * is not, which costs reuse and misses nothing; the edits followed are those
 * of isolated modules, which declare no ambient module, so the checker's
 * answer is the resolved file or nothing.
 */
function moduleResolution(program: ts.Program): (specifier: ts.StringLiteralLike, file: ts.SourceFile) => readonly ts.SourceFile[] {
  const resolution = program as ts.Program & { getResolvedModuleFromModuleSpecifier?: (specifier: ts.StringLiteralLike, file: ts.SourceFile) => ts.ResolvedModuleWithFailedLookupLocations | undefined };
  if (typeof resolution.getResolvedModuleFromModuleSpecifier !== 'function') {
    const checker = checkerOf(program);
    return (specifier) => (checker.getSymbolAtLocation(specifier)?.declarations ?? []).map((declaration) => declaration.getSourceFile());
  }
  return (specifier, file) => {
    const resolved = resolution.getResolvedModuleFromModuleSpecifier!(specifier, file)?.resolvedModule;
    const target = resolved && program.getSourceFile(resolved.resolvedFileName);
    return target ? [target] : [];
  };
}

/**
 * An edited module's earlier regions: those in a statement that changed or
 * names a changed name (`changed`, new indices), whose text changed or names
 * one, changed; the others mapped to the same region in the unchanged
 * statement (`was`: the statements with the same key).
 */
function renumber(before: DeclarationsOf, after: DeclarationsOf, was: IndexMap, changed: ReadonlySet<number>, names: RegExp | undefined): Renumbered {
  const now = new IndexMap(before.regions.length, after.regions.length);
  const statements = new IndexMap(before.statements.length, after.statements.length);
  for (let index = 0; index < after.statements.length; index++) {
    const earlier = was.earlier(index);
    if (earlier === undefined || changed.has(index)) continue;
    statements.set(earlier, index);
    const oldShape = before.statements[earlier]!;
    const newShape = after.statements[index]!;
    let from = firstRegionFrom(before.regions, oldShape.pos);
    let to = firstRegionFrom(after.regions, newShape.pos);
    for (; from < before.regions.length && before.regions[from]!.start < oldShape.end; from++, to++) {
      const text = before.texts[from]!;
      // The same statement text has the same regions; only a body's or a typed initializer's text may differ.
      if (to >= after.regions.length || after.regions[to]!.start >= newShape.end || text !== after.texts[to]) continue;
      if (names && (names.test(text) || text.includes('\\u'))) continue;
      now.set(from, to);
    }
  }
  const changedRegions = new Set<number>();
  before.regions.forEach((_, index) => {
    if (now.later(index) === undefined) changedRegions.add(index);
  });
  return { changed: changedRegions, now, statements };
}

/** The index of the first region starting at or after `position`. */
export function firstRegionFrom(regions: readonly { readonly start: number }[], position: number): number {
  let low = 0;
  let high = regions.length;
  while (low < high) {
    const middle = (low + high) >> 1;
    if (regions[middle]!.start < position) low = middle + 1;
    else high = middle;
  }
  return low;
}

function isTypeScript(file: ts.SourceFile): boolean {
  return /\.[cm]?tsx?$/i.test(file.fileName);
}

