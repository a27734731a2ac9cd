// The HTTP layer shared by every capability that answers HTTP: route declarations
// (route.ts), the error family (errors.ts), the one table from a domain error's kind to its
// status (domain-errors.ts), the one error-to-answer function (respond.ts)
// and the bearer-token parser (bearer.ts). No capability writes its own.
export * from './bearer';
export * from './errors';
export * from './domain-errors';
export * from './respond';
export * from './route';
