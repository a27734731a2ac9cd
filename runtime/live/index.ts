// Public surface of runtime/live.
export { LiveBus } from './bus';
export { LiveSocket } from './live-socket';
