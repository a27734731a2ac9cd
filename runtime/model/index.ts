export * from './quality';
export * from './tag';
export * from './sample';
export * from './message';
