export * from './admin-auth';
export * from './credentials';
export * from './routes';
export * from './schemas';
export * from './signed-actions';
