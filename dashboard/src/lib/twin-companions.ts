// A twin writes companions next to the tag it predicts (twin-predict: `<tag>.predicted`,
// `<tag>.predicted.lo`, `<tag>.predicted.hi` and `<tag>.confidence`). The trend draws them with
// their tag; the lists of tags to pick or to watch leave them out. A `…confidence` tag counts as
// a companion only when its tag also has a `.predicted` one, so a plant's own confidence tag (a
// vision system's, say) stays listed.
const PREDICTED = /\.predicted(\.(lo|hi|confidence))?$/;

export function isTwinCompanion(tag: string, has: (tag: string) => boolean): boolean {
  if (PREDICTED.test(tag)) return true;
  const m = /^(.+)\.confidence$/.exec(tag);
  return m !== null && has(`${m[1]}.predicted`);
}
