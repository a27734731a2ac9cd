// The data sets of the peer benchmark by name, so the load client (its own process)
// regenerates exactly the samples the benchmark measures.
import { type DataSet, decade, demoPlant, nab, skab, slowTags } from './datasets';

export const PEER_DATASETS = ['plant', 'skab', 'nab', 'decade', 'slow'] as const;

export function dataSetByName(name: string, end: number): DataSet {
  switch (name) {
    case 'plant': return demoPlant(end);
    case 'skab': return skab();
    case 'nab': return nab();
    case 'decade': return decade(end);
    case 'slow': return slowTags(end);
    default: throw new Error(`unknown data set ${name}; known: ${PEER_DATASETS.join(', ')}`);
  }
}
