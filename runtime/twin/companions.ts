// The tags a twin writes next to the tag it predicts. The dashboard recognises them by these
// names (dashboard/src/lib/twin-companions.ts) to draw them with their tag in the trend.
export interface TwinCompanionTags { predicted: string; lo: string; hi: string; confidence: string }

export function twinCompanionTags(target: string): TwinCompanionTags {
  return { predicted: `${target}.predicted`, lo: `${target}.predicted.lo`, hi: `${target}.predicted.hi`, confidence: `${target}.confidence` };
}
