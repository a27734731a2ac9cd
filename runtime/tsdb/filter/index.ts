export { createFilter, TagFilters, type SampleFilter } from './filter';
export {
  FilterConfigError, LOGGING_MODES, resolveFilterConfig, type FilterConfig, type LoggingMode, type ResolvedFilterConfig,
} from './config';
