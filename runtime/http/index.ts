// The HTTP layer shared by every capability that answers HTTP: route declarations
// (route.ts), the error family (errors.ts), the one table from a domain error's kind to its
// status (domain-errors.ts), the one error-to-answer function (respond.ts),
// the bearer-token parser (bearer.ts) and one-time download links (download-links.ts). No
// capability writes its own.
export * from './bearer';
export * from './download-links';
export * from './errors';
export * from './domain-errors';
export * from './respond';
export * from './route';
