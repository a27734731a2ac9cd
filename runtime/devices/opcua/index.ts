// The node-opcua client (subscriber.ts) is not re-exported: importing it loads the whole
// OPC UA stack, which the message converter does not need.
export * from './status-quality';
export * from './converter';
