export * from './topic';
export * from './payload';
export * from './decoder';
