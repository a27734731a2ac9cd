export { compile } from '../../../runtime/calc';
export { QUALITY_CODES as QUALITY_CODES_FOR_TESTS } from '../../../runtime/model/quality';
