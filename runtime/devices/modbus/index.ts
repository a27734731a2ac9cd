export * from './datatypes';
export * from './tag-table';
export * from './planner';
export * from './transport';
export * from './connection';
export * from './poller';
export * from './writer';
