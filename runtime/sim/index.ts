export { PlantSimulator, MIN_RATE, MAX_RATE, type PlantOptions, type TagInfo, type PlantCounters } from './plant';
export { Prng } from './prng';
export { type PlantEvent } from './story';
export { backfill, type BackfillPlan } from './backfill';
export { counterFile, readCounters, writeCounters, maxCounters } from './counter-file';
