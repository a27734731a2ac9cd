export * from './admin-auth';
export * from './handlers';
export * from './middleware';
export * from './respond';
export * from './routes';
export * from './schemas';
