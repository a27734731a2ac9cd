// Time ranges live in lib/ranges.ts (shared by trend, journal and KPIs); this path stays so
// existing imports keep working.
export * from '../lib/ranges';
