// The type checker the passes ask, in one shape for every program.
//
// Two programs' TypeScript checkers are objects of different maps (V8's hidden
// classes; test/analysis/checker.test.ts shows it), and every edit in the
// editor, like every analysis of a new program, brings a new checker. Code
// optimised while the analysis asked one program's checker is deoptimised
// ('wrong map') at its `checker.x(…)` sites when the next program's comes, and
// again for the next, until V8 gives those sites up as megamorphic (bench/README,
// the `jit9` work). The checker's methods are closures that never read `this`,
// so an object of one class holding them has one map whatever the program.

import type * as ts from 'typescript';

/** The checker's methods the analysis calls. */
export type Checker = Pick<
  ts.TypeChecker,
  | 'getAliasedSymbol'
  | 'getContextualType'
  | 'getIndexTypeOfType'
  | 'getNonNullableType'
  | 'getPropertiesOfType'
  | 'getResolvedSignature'
  | 'getReturnTypeOfSignature'
  | 'getShorthandAssignmentValueSymbol'
  | 'getSignatureFromDeclaration'
  | 'getSymbolAtLocation'
  | 'getTypeArguments'
  | 'getTypeAtLocation'
  | 'getTypeFromTypeNode'
  | 'getTypeOfSymbol'
  | 'isArrayType'
  | 'resolveName'
  | 'typeToString'
>;

const stableCheckers = new WeakMap<ts.TypeChecker, Checker>();

/** The program's checker, as an object of the one map every program's has. */
export function checkerOf(program: ts.Program): Checker {
  const checker = program.getTypeChecker();
  let stable = stableCheckers.get(checker);
  if (!stable) stableCheckers.set(checker, (stable = new StableChecker(checker)));
  return stable;
}

class StableChecker implements Checker {
  readonly getAliasedSymbol: ts.TypeChecker['getAliasedSymbol'];
  readonly getContextualType: ts.TypeChecker['getContextualType'];
  readonly getIndexTypeOfType: ts.TypeChecker['getIndexTypeOfType'];
  readonly getNonNullableType: ts.TypeChecker['getNonNullableType'];
  readonly getPropertiesOfType: ts.TypeChecker['getPropertiesOfType'];
  readonly getResolvedSignature: ts.TypeChecker['getResolvedSignature'];
  readonly getReturnTypeOfSignature: ts.TypeChecker['getReturnTypeOfSignature'];
  readonly getShorthandAssignmentValueSymbol: ts.TypeChecker['getShorthandAssignmentValueSymbol'];
  readonly getSignatureFromDeclaration: ts.TypeChecker['getSignatureFromDeclaration'];
  readonly getSymbolAtLocation: ts.TypeChecker['getSymbolAtLocation'];
  readonly getTypeArguments: ts.TypeChecker['getTypeArguments'];
  readonly getTypeAtLocation: ts.TypeChecker['getTypeAtLocation'];
  readonly getTypeFromTypeNode: ts.TypeChecker['getTypeFromTypeNode'];
  readonly getTypeOfSymbol: ts.TypeChecker['getTypeOfSymbol'];
  readonly isArrayType: ts.TypeChecker['isArrayType'];
  readonly resolveName: ts.TypeChecker['resolveName'];
  readonly typeToString: ts.TypeChecker['typeToString'];

  constructor(checker: ts.TypeChecker) {
    this.getAliasedSymbol = checker.getAliasedSymbol;
    this.getContextualType = checker.getContextualType;
    this.getIndexTypeOfType = checker.getIndexTypeOfType;
    this.getNonNullableType = checker.getNonNullableType;
    this.getPropertiesOfType = checker.getPropertiesOfType;
    this.getResolvedSignature = checker.getResolvedSignature;
    this.getReturnTypeOfSignature = checker.getReturnTypeOfSignature;
    this.getShorthandAssignmentValueSymbol = checker.getShorthandAssignmentValueSymbol;
    this.getSignatureFromDeclaration = checker.getSignatureFromDeclaration;
    this.getSymbolAtLocation = checker.getSymbolAtLocation;
    this.getTypeArguments = checker.getTypeArguments;
    this.getTypeAtLocation = checker.getTypeAtLocation;
    this.getTypeFromTypeNode = checker.getTypeFromTypeNode;
    this.getTypeOfSymbol = checker.getTypeOfSymbol;
    this.isArrayType = checker.isArrayType;
    this.resolveName = checker.resolveName;
    this.typeToString = checker.typeToString;
  }
}
