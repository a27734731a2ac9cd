export * from './signature-guard';
