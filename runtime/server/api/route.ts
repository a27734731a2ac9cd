// The route declaration lives in runtime/http (shared with the auth and audit routes);
// routes of the server keep importing it from here.
export * from '../../http';
