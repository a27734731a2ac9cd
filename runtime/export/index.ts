// Public surface of runtime/export.
export { ExportRequestError, parseExportRequest } from './export-request';
export { downsampledSource, encoderFor, fileName, rawSource, runExport } from './export-service';
export type { ExportEvent, OnExport } from './export-service';
export { csvField } from './csv-encoder';
export type { ExportRequest } from './export-request';
export type { ExportResult } from './export-service';
export { ZonedTime, checkTimeZone } from './time-format';
export { MAX_SHEET_ROWS, XlsxEncoder, type XlsxSheetOptions } from './xlsx-encoder';
export { XlsxBook } from './xlsx-book';
export { writeTo } from './zip-writer';
