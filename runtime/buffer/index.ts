export * from './types';
export { DurableQueue, BufferClosedError, type QueueOptions, type PushInput, type QueueEntry, type QueueStats } from './durable-queue';
export { Dispatcher, PermanentError, type Sender, type OutboundEntry, type DispatcherOptions, type DispatcherStats } from './dispatcher';
export type { QuarantineItem } from './quarantine';
export { isBufferComponent } from './component';
export type { BufferComponent, BufferStatus } from './component';
export { registerBufferMetrics } from './metrics';
