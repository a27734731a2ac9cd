// Public surface of runtime/disk.
export { DiskLowError, DiskWatermark } from './disk-watermark';
