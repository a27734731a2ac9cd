export * from './quality';
export * from './tag';
export * from './sample';
export * from './message';
export { parseTime, patternSchema, tagSchema, timeSchema } from './schemas';
export * from './sample-columns';
