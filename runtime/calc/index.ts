// Calculated tags: the expression language (LANGUAGE.md), its compiler, the graph of
// calc tags that recomputes outputs as inputs arrive, and evaluation over stored history.
export { CalcError, positionOf, type SourcePos } from './error';
export { DEFAULT_LIMITS, type CalcLimits } from './limits';
export {
  compile, type CalcResult, type CompileOptions, type CompiledExpression, type EvalContext, type InputSample,
} from './compiler';
export { CalcGraph, CalcConfigError, type CalcGraphOptions, type CalcTagDef, type CalcTrigger } from './graph';
export { dependencyOrder } from './cycles';
export {
  evaluateOverHistory, MAX_GRID_POINTS, type HistoryResult, type HistorySeries, type Interpolation, type TimeGrid,
} from './history';
