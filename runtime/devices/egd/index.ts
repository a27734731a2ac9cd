export * from './datagram';
export * from './layout';
export * from './consumer';
