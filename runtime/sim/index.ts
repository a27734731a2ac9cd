export { PlantSimulator, MIN_RATE, MAX_RATE, type PlantOptions, type TagInfo } from './plant';
export { Prng } from './prng';
