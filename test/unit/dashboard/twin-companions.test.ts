// The tag lists (Live view, tag picker) leave out what a twin writes next to a tag, and only that.
import { describe, expect, it } from 'vitest';
import { isTwinCompanion } from '../../../dashboard/src/lib/twin-companions';
import { twinCompanionTags } from '../../../runtime/twin';

describe('twin companions in tag lists', () => {
  const target = 'acme.izmir.plant1.line1.cell1.pump1.temperature';
  const written = twinCompanionTags(target);
  const names = new Set([target, ...Object.values(written), 'acme.izmir.qc.camera1.confidence', 'twin.line1_group.confidence']);
  const has = (t: string) => names.has(t);

  it('every tag the twin node writes for a predicted tag is a companion; the tag itself is not', () => {
    for (const t of Object.values(written)) expect(isTwinCompanion(t, has), t).toBe(true);
    expect(isTwinCompanion(target, has)).toBe(false);
  });

  it('a plant\'s own confidence tag and a group model\'s confidence (no prediction beside them) stay listed', () => {
    expect(isTwinCompanion('acme.izmir.qc.camera1.confidence', has)).toBe(false);
    expect(isTwinCompanion('twin.line1_group.confidence', has)).toBe(false);
  });

  it('a confidence tag whose prediction is not known yet is listed until the prediction appears', () => {
    const few = new Set([target, written.confidence]);
    expect(isTwinCompanion(written.confidence, (t) => few.has(t))).toBe(false);
    few.add(written.predicted);
    expect(isTwinCompanion(written.confidence, (t) => few.has(t))).toBe(true);
  });
});
