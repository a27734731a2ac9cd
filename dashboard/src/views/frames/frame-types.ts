// Event frames as the API answers them (/api/v1/frames).
export type AttributeValue = string | number | boolean | null;

export interface FrameView {
  id: string; template: string; name: string; start: number; end: number | null; parent: string | null;
  tags: string[]; attributes: Record<string, AttributeValue>;
  /** unit of each attribute captured from a tag with one (absent from servers before units) */
  units?: Record<string, string>;
  closedBy: string | null;
}

/** An attribute as the page shows it: `flowBefore=44 m3/h`. */
export function attributeLabel(f: FrameView, name: string): string {
  const unit = f.units?.[name];
  return `${name}=${f.attributes[name]}${unit ? ` ${unit}` : ''}`;
}

export interface OverlaySeries { id: string; name: string; tag: string; start: number; t: number[]; v: number[]; deviation?: Array<number | null>; maxDeviation?: number | null }
export interface OverlayAnswer {
  tag: string; bucketMs: number; spanMs: number; frames: OverlaySeries[];
  /** the unit every drawn tag has (absent from servers before it; null when they differ) */
  unit?: string | null;
  reference: (OverlaySeries & { lo?: number[]; hi?: number[] }) | null;
  envelope: { t: number[]; lo: number[]; hi: number[] };
}

/** The trend link of a frame: its tags over its window (an open frame up to now). */
export function trendLink(f: FrameView, tags = f.tags): string {
  const to = f.end ?? Date.now();
  return `#/trend?tags=${tags.slice(0, 8).join(',')}&from=${f.start}&to=${Math.max(to, f.start + 1000)}&live=0`;
}
