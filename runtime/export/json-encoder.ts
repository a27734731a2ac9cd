// JSON export: one object with the request echoed and a `rows` array, written piece by
// piece so it never exists as one string. Long rows: {ts, time, tag, value, quality};
// wide rows: {ts, time, values: {tag: value}, quality: {tag: name}} (absent tags omitted).
import type { Writable } from 'node:stream';
import { qualityText, type ExportEncoder, type ExportLayout } from './encoder';
import type { LongBatch, WideBatch } from './rows';
import type { ZonedTime } from './time-format';
import { writeTo } from './zip-writer';

export class JsonEncoder implements ExportEncoder {
  readonly contentType = 'application/json; charset=utf-8';
  readonly extension = 'json';
  private first = true;
  private readonly tagJson: string[];

  constructor(private readonly out: Writable, private readonly tags: readonly string[], private readonly layout: ExportLayout,
    private readonly time: ZonedTime, private readonly range: { from: number; to: number }) {
    this.tagJson = tags.map((t) => JSON.stringify(t));
  }

  begin(): Promise<void> {
    return writeTo(this.out, `{"layout":"${this.layout}","tz":${JSON.stringify(this.time.tz)},"from":${this.range.from},"to":${this.range.to},"tags":[${this.tagJson.join(',')}],"rows":[`);
  }

  private sep(): string {
    if (this.first) { this.first = false; return '\n'; }
    return ',\n';
  }

  long(b: LongBatch): Promise<void> {
    let s = '';
    for (let i = 0; i < b.n; i++) {
      s += `${this.sep()}{"ts":${b.ts[i]},"time":"${this.time.iso(b.ts[i])}","tag":${this.tagJson[b.tag[i]]},"value":${b.value[i]},"quality":"${qualityText(b.quality[i])}"}`;
    }
    return writeTo(this.out, s);
  }

  wide(b: WideBatch): Promise<void> {
    let s = '';
    for (let i = 0; i < b.n; i++) {
      const v: string[] = [];
      const q: string[] = [];
      for (let j = 0; j < this.tags.length; j++) {
        if (!b.has[j][i]) continue;
        v.push(`${this.tagJson[j]}:${b.values[j][i]}`);
        q.push(`${this.tagJson[j]}:"${qualityText(b.quality[j][i])}"`);
      }
      s += `${this.sep()}{"ts":${b.ts[i]},"time":"${this.time.iso(b.ts[i])}","values":{${v.join(',')}},"quality":{${q.join(',')}}}`;
    }
    return writeTo(this.out, s);
  }

  end(): Promise<void> {
    return writeTo(this.out, '\n]}\n');
  }
}
