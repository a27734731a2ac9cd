// Public surface of runtime/export.
export { ExportRequestError, parseExportRequest } from './export-request';
export { downsampledSource, encoderFor, fileName, rawSource, runExport } from './export-service';
export type { ExportEvent, OnExport } from './export-service';
