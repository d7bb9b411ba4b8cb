// The simulator's public surface, for the CLI and the extension.
export * from './types';
export { formatOp, formatParseError, formatSequence, parseScenario, parseSequence, type ParseResult } from './parse';
export {
  DEFAULT_DEPTH,
  DEFAULT_MEMORY_LIMIT_MB,
  DEFAULT_TIME_LIMIT_MS,
  ScenarioSyntaxError,
  SimulationError,
  Simulator,
  loadScenario,
  scenarioModulePath,
  simulateScenario,
  simulateSequence,
  type SimulatorOptions,
} from './engine';
export { ExplorationCancelled, MAX_DEPTH, MAX_PLAIN_DEPTH, enumerateSequences, explore, exploreEverySequenceRun, type ExploreOptions, type ExploreProgress } from './explore';
export { failureReason, scenarioPassed, type FailureReason } from './verdict';
