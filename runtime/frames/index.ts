// Event frames (batches, phases, coils, trips): the durable store, queries of frame data,
// overlays, and the trigger engine the event-frame node runs.
export * from './frame';
export { FrameStore, ftsPhrase, ftsQuery, MAX_QUERY_LIMIT } from './frame-store';
export { frameStoreFor, closeFrameStore } from './frame-stores';
export * from './frame-data';
export * from './overlay';
export { replayFrames, checkReplayRange, MAX_REPLAY_MS, type HistoryReader, type ReplayResult } from './frame-replay';
export { FrameEngine, type FrameDefinition, type FrameCommand, type FrameEvent, type AttributeCapture, type TriggerMode } from './frame-engine';
export { Condition, bareTagsToCalls } from './condition';
export { frameHeader, frameExportRequest, exportFrameCsv, exportFramesCsv, exportFrameXlsx, exportFramesXlsx } from './frame-export';
export { TriggeredCapture, type CaptureOptions } from './capture';
