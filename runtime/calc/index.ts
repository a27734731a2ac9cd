// Calculated tags: the expression language (LANGUAGE.md), its compiler, the graph of
// calc tags that recomputes outputs as inputs arrive, and evaluation over stored history.
export { CalcError, positionOf, type SourcePos } from './error';
export { DEFAULT_LIMITS, type CalcLimits } from './limits';
export { parseDuration } from './duration';
export {
  compile, type CalcResult, type CompileOptions, type CompiledExpression, type EvalContext, type InputSample,
} from './compiler';
