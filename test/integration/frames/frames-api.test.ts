// Event frames through the running distribution: frames recorded by hand, searched by
// time, attribute and text; their data, overlay and CSV export checked against the store's
// own query API; manual close and attribute edits refused without a signature (428),
// done with one, and recorded in the audit trail with it.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startDistribution, type Distribution } from '../../helpers/distribution';
import { signingToken } from '../../helpers/signing';
import { makeTempDir } from '../../helpers/tmp';
import ExcelJS from 'exceljs';
import WebSocket from 'ws';
import { waitFor } from '../../helpers/wait';

const TAG = 'acme.izmir.frames.line1.reactor1.temperature';
const json = { 'Content-Type': 'application/json' };
const H = 3_600_000;
let dist: Distribution;
let admin: string;
const T0 = Math.floor(Date.now() / H) * H - 6 * H;
const valueOf = (k: number, s: number) => 20 + 5 * k + 0.01 * s;
const ids: string[] = [];

async function api(path: string, init: RequestInit = {}, token = admin): Promise<{ status: number; body: any; text: string }> {
  const r = await dist.request(path, { ...init, token });
  const text = await r.text();
  let body: any = null;
  try { body = JSON.parse(text); } catch { /* CSV */ }
  return { status: r.status, body, text };
}

beforeAll(async () => {
  const dir = await makeTempDir('frames-api-');
  const flowFile = join(dir, 'flow.json');
  writeFileSync(flowFile, JSON.stringify([
    { id: 'fr-tab', type: 'tab', label: 'Frames test' },
    { id: 'fr-store', type: 'historian-store', name: 'default', directory: 'tsdb/default', retentionDays: 0, blockHours: 2, fsync: 'interval', fsyncIntervalMs: 50 },
  ]));
  dist = await startDistribution({ dataDir: join(dir, 'data'), env: { HISTORIAN_DEMO_FLOW: flowFile } });
  admin = await dist.login();
  // data for three batches at 1 s, each starting on the hour; the frames last 30, 40 and 50 minutes
  const items = [];
  for (let k = 0; k < 3; k++) for (let s = 0; s < 3600; s++) items.push({ tag: TAG, value: valueOf(k, s), timestamp: T0 + k * H + s * 1000 });
  for (let i = 0; i < items.length; i += 5000) {
    const r = await api('/api/v1/metrics', { method: 'POST', headers: json, body: JSON.stringify(items.slice(i, i + 5000)) });
    expect(r.status, r.text).toBe(202);
  }
  expect((await api(`/api/v1/tags/${TAG}`, { method: 'PUT', headers: json, body: JSON.stringify({ unit: '°C' }) })).status).toBe(200);
  for (let k = 0; k < 3; k++) {
    const r = await api('/api/v1/frames', {
      method: 'POST', headers: json,
      body: JSON.stringify({ template: 'batch', name: `Batch ${4711 + k}`, start: T0 + k * H, end: T0 + k * H + 1800_000 + k * 600_000, tags: [TAG], attributes: { product: k === 1 ? 'PX-200' : 'PX-100', lot: 4711 + k, charge: 1200 + k }, units: { charge: 'kg' } }),
    });
    expect(r.status, r.text).toBe(201);
    ids.push(r.body.id);
  }
});
afterAll(async () => { await dist?.stop(); });

describe('frames API', () => {
  it('searches by time, attribute and text, and audits frames recorded by hand', async () => {
    const byAttr = await api(`/api/v1/frames?attr.product=PX-100&from=${T0}&to=${T0 + 3 * H}`);
    expect(byAttr.body.frames.map((f: any) => f.name)).toEqual(['Batch 4713', 'Batch 4711']);
    const window = await api(`/api/v1/frames?from=${T0 + H + 1}&to=${T0 + H + 2}`);
    expect(window.body.frames.map((f: any) => f.name)).toEqual(['Batch 4712']);
    expect((await api('/api/v1/frames?q=4712')).body.frames.map((f: any) => f.id)).toEqual([ids[1]]);
    expect((await api('/api/v1/frames?attr.bad%20name=x')).status).toBe(400);
    const audit = await api(`/api/v1/audit?action=frames.open&limit=5`);
    expect(audit.body.entries.map((e: any) => e.target)).toContain(`frame:${ids[0]}`);
  });

  it('answers a frame\'s aggregates as the store computes them over its window', async () => {
    const r = await api(`/api/v1/frames/${ids[2]}/data?mode=aggregates`);
    expect(r.status, r.text).toBe(200);
    const n = 3000; // 30 min + 2 × 10 min
    expect(r.body.durationMs).toBe(3000_000);
    expect(r.body.tags[0]).toMatchObject({ tag: TAG, count: n });
    expect(r.body.tags[0].min).toBeCloseTo(valueOf(2, 0), 9);
    expect(r.body.tags[0].max).toBeCloseTo(valueOf(2, n - 1), 9);
    expect(r.body.tags[0].avg).toBeCloseTo(valueOf(2, (n - 1) / 2), 6);
    const pts = await api(`/api/v1/frames/${ids[0]}/data?mode=points&points=100`);
    expect(pts.body.series[0].ts.length).toBeLessThanOrEqual(102);
  });

  it('overlays frames on time since their start with the deviation from a reference', async () => {
    const r = await api(`/api/v1/frames/overlay?ids=${ids[1]},${ids[2]}&tag=${TAG}&reference=${ids[0]}&points=60&band=1`);
    expect(r.status, r.text).toBe(200);
    expect(r.body.spanMs).toBe(3000_000); // the longest frame, 50 min
    expect(r.body.unit).toBe('°C'); // the tag's unit, for the axis
    expect(r.body.bucketMs).toBe(50_000);
    const [b1, b2] = r.body.frames;
    expect(b1.t.slice(0, 2)).toEqual([0, 50_000]);
    expect(b1.t.length).toBe(48); // 40 min in 50 s buckets
    expect(b2.t.length).toBe(60);
    // the reference ran 30 minutes: deviation exists where both have data
    expect(b2.deviation.filter((d: number | null) => d !== null)).toHaveLength(36);
    for (const d of b2.deviation.slice(0, 36)) expect(d).toBeCloseTo(10, 6);
    expect(b1.maxDeviation).toBeCloseTo(5, 6);
    expect(r.body.reference.hi[0] - r.body.reference.lo[0]).toBeCloseTo(2, 9);
    // a point name draws each frame's own tag ending in it (here the batches' one tag)
    const point = TAG.slice(TAG.lastIndexOf('.') + 1);
    const p = await api(`/api/v1/frames/overlay?ids=${ids[1]},${ids[2]}&point=${point}&reference=${ids[0]}&points=60`);
    expect(p.status, p.text).toBe(200);
    expect(p.body.tag).toBe(`*.${point}`);
    expect(p.body.frames.map((f: { tag: string }) => f.tag)).toEqual([TAG, TAG]);
    expect(p.body.frames[1].v).toEqual(r.body.frames[1].v);
    // refusals name the field
    const none = await api(`/api/v1/frames/overlay?ids=${ids[1]}&point=level`);
    expect([none.status, none.body.field ?? none.body.message]).toEqual([400, expect.stringMatching(/point/)]);
    expect(none.body.message).toMatch(/no tag ending in "\.level"/);
    const neither = await api(`/api/v1/frames/overlay?ids=${ids[1]}`);
    expect(neither.status, neither.text).toBe(400);
    expect(neither.body.message).toMatch(/tag/);
  });

  it('exports a frame as CSV: its header, then exactly the stored samples of its window', async () => {
    const r = await api(`/api/v1/frames/${ids[0]}/export`);
    expect(r.status, r.text.slice(0, 300)).toBe(200);
    const [head, data] = r.text.split('\r\n\r\n');
    const header = Object.fromEntries(head.split('\r\n').map((l) => l.split(',')));
    expect(header).toMatchObject({ frame: 'Batch 4711', template: 'batch', 'attribute:product': 'PX-100', 'attribute:lot': '4711', start: new Date(T0).toISOString() });
    // an attribute with a unit has it as a third field
    expect(head.split('\r\n')).toContain('attribute:charge,1200,kg');
    expect((await api(`/api/v1/frames/${ids[0]}`)).body.frame.units).toEqual({ charge: 'kg' });
    const rows = data.trim().split('\r\n').slice(1).map((l) => l.split(','));
    const q = new URLSearchParams({ kind: 'raw', tag: TAG, from: String(T0), to: String(T0 + 1800_000) });
    const stored = (await api(`/api/v1/query?${q}`)).body.samples as Array<{ ts: number; value: number }>;
    expect(rows).toHaveLength(stored.length);
    expect(rows.length).toBe(1800);
    rows.forEach((row, i) => {
      expect(Date.parse(row[0])).toBe(stored[i].ts);
      expect(Number(row[2])).toBe(stored[i].value);
    });
    const audit = await api('/api/v1/audit?action=data.export&limit=1');
    expect(audit.body.entries[0].target).toBe(TAG);
  });

  it('exports several frames as CSV, one section per frame', async () => {
    const r = await api(`/api/v1/frames/export?ids=${ids[2]},${ids[0]}`);
    expect(r.status, r.text.slice(0, 300)).toBe(200);
    const sections = r.text.split('\r\n\r\n');
    // header, data, header, data
    expect(sections).toHaveLength(4);
    expect(sections[0]).toContain('frame,Batch 4713');
    expect(sections[2]).toContain('frame,Batch 4711');
    expect(sections[1].trim().split('\r\n')).toHaveLength(1 + 3000);
    expect(sections[3].trim().split('\r\n')).toHaveLength(1 + 1800);
    expect(sections[3].trim().split('\r\n')[1].split(',')[0]).toBe(new Date(T0).toISOString());
  });

  it('exports several frames as XLSX: a sheet per frame, its attributes above exactly its stored samples', async () => {
    const order = [ids[2], ids[0], ids[1]];
    const r = await dist.request(`/api/v1/frames/export?ids=${order.join(',')}&format=xlsx`, { token: admin });
    expect(r.status).toBe(200);
    expect(r.headers.get('content-type')).toContain('spreadsheetml');
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(Buffer.from(await r.arrayBuffer()) as unknown as ArrayBuffer);
    expect(wb.worksheets.map((w) => w.name)).toEqual(['Batch 4713', 'Batch 4711', 'Batch 4712']);
    for (const [i, id] of order.entries()) {
      const frame = (await api(`/api/v1/frames/${id}`)).body.frame;
      const ws = wb.worksheets[i];
      // header rows up to the blank row, then the column titles, then the data
      const head: Record<string, unknown> = {};
      let row = 1;
      for (; ws.getRow(row).getCell(1).value !== null; row++) head[String(ws.getRow(row).getCell(1).value)] = ws.getRow(row).getCell(2).value;
      expect(head).toMatchObject({
        frame: frame.name, id, template: 'batch', start: new Date(frame.start).toISOString(), end: new Date(frame.end).toISOString(),
        'attribute:product': frame.attributes.product, 'attribute:lot': String(frame.attributes.lot),
      });
      const titles = row + 1;
      expect(ws.getRow(titles).values).toEqual([undefined, 'time', 'tag', 'value', 'quality']);
      const q = new URLSearchParams({ kind: 'raw', tag: TAG, from: String(frame.start), to: String(frame.end) });
      const stored = (await api(`/api/v1/query?${q}`)).body.samples as Array<{ ts: number; value: number }>;
      expect(stored.length).toBeGreaterThan(1000);
      expect(ws.rowCount - titles).toBe(stored.length);
      stored.forEach((x, k) => {
        const cells = ws.getRow(titles + 1 + k);
        expect((cells.getCell(1).value as Date).getTime()).toBe(x.ts);
        expect(cells.getCell(3).value).toBe(x.value);
      });
    }
    const audit = await api('/api/v1/audit?action=data.export&limit=1');
    expect(audit.body.entries[0].target).toBe(TAG);
  });

  it('names a missing or repeated frame of a multi-frame export before sending anything', async () => {
    const missing = await api(`/api/v1/frames/export?ids=${ids[0]},no-such-frame&format=xlsx`);
    expect(missing.status).toBe(404);
    expect(missing.body).toMatchObject({ error: 'not_found', field: 'ids' });
    expect(missing.body.message).toContain('no-such-frame');
    const repeated = await api(`/api/v1/frames/export?ids=${ids[0]},${ids[0]}`);
    expect(repeated.status).toBe(400);
    expect(repeated.body.message).toMatch(/ids: must not repeat/);
    expect((await api(`/api/v1/frames/export?ids=${ids[0]}&format=pdf`)).status).toBe(400);
  });

  it('exports a frame as XLSX: a Frame sheet with its attributes, then the stored samples', async () => {
    const r = await dist.request(`/api/v1/frames/${ids[1]}/export?format=xlsx`, { token: admin });
    expect(r.status).toBe(200);
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(Buffer.from(await r.arrayBuffer()) as unknown as ArrayBuffer);
    expect(wb.worksheets.map((w) => w.name)).toEqual(['Frame', 'Data']);
    const head = Object.fromEntries(wb.worksheets[0].getSheetValues().slice(1).map((row) => [(row as unknown[])[1], (row as unknown[])[2]]));
    expect(head).toMatchObject({ frame: 'Batch 4712', template: 'batch', 'attribute:product': 'PX-200', 'attribute:lot': '4712' });
    const charge = wb.worksheets[0].getSheetValues().slice(1).find((row) => (row as unknown[])[1] === 'attribute:charge') as unknown[];
    expect(charge.slice(1)).toEqual(['attribute:charge', '1201', 'kg']);
    const data = wb.worksheets[1];
    const q = new URLSearchParams({ kind: 'raw', tag: TAG, from: String(T0 + H), to: String(T0 + H + 2400_000) });
    const stored = (await api(`/api/v1/query?${q}`)).body.samples as Array<{ ts: number; value: number }>;
    expect(data.rowCount - 1).toBe(stored.length);
    for (const i of [0, 1, 1000, stored.length - 1]) expect(data.getRow(i + 2).getCell(3).value).toBe(stored[i].value);
  });

  it('tells live WebSocket clients which frame opened and closed, by id only', async () => {
    const ws = new WebSocket(`${dist.url.replace(/^http/, 'ws')}/api/v1/live?access_token=${encodeURIComponent(admin)}`);
    const got: any[] = [];
    ws.on('message', (d) => { const m = JSON.parse(String(d)); if (m.type === 'frame') got.push(m); });
    await new Promise((resolve, reject) => { ws.once('open', resolve); ws.once('error', reject); });
    try {
      const open = await api('/api/v1/frames', { method: 'POST', headers: json, body: JSON.stringify({ template: 'batch', name: 'Batch live', start: T0 + 4 * H, tags: [TAG], attributes: { product: 'secret' } }) });
      const id = open.body.id;
      await waitFor(() => got.some((m) => m.id === id && m.change === 'open'), { what: 'the frame open event' });
      const close = await api(`/api/v1/frames/${id}/close`, {
        method: 'POST', headers: { ...json, 'X-Historian-Signature': await signingToken(dist, admin, 'frames.close', `frame:${id}`) },
        body: JSON.stringify({ end: T0 + 4 * H + 60_000, reason: 'test' }),
      });
      expect(close.status, close.text).toBe(200);
      await waitFor(() => got.some((m) => m.id === id && m.change === 'close'), { what: 'the frame close event' });
      expect(got.filter((m) => m.id === id)).toEqual([{ type: 'frame', change: 'open', id }, { type: 'frame', change: 'close', id }]);
    } finally {
      ws.close();
    }
  });

  it('closes a frame by hand only with a signature, and records it', async () => {
    const open = await api('/api/v1/frames', { method: 'POST', headers: json, body: JSON.stringify({ template: 'batch', name: 'Batch open', start: T0 + 3 * H, tags: [TAG] }) });
    const id = open.body.id;
    const close = (sig?: string) => api(`/api/v1/frames/${id}/close`, {
      method: 'POST', headers: { ...json, ...(sig ? { 'X-Historian-Signature': sig } : {}) }, body: JSON.stringify({ end: T0 + 3 * H + 600_000, reason: 'batch ended, recorder offline' }),
    });
    const refused = await close();
    expect(refused.status).toBe(428);
    expect(refused.body).toMatchObject({ action: 'frames.close', target: `frame:${id}` });
    expect((await api(`/api/v1/frames/${id}`)).body.frame.end).toBeNull();
    const done = await close(await signingToken(dist, admin, 'frames.close', `frame:${id}`));
    expect(done.status, done.text).toBe(200);
    expect(done.body).toMatchObject({ end: T0 + 3 * H + 600_000, closedBy: 'admin' });
    expect((await close(await signingToken(dist, admin, 'frames.close', `frame:${id}`))).status).toBe(409);
    const audit = await api('/api/v1/audit?action=frames.close&limit=1');
    expect(audit.body.entries[0]).toMatchObject({ target: `frame:${id}`, reason: 'batch ended, recorder offline', signature: { action: 'frames.close', meaning: 'responsibility' } });
  });

  it('edits attributes only with a signature, recording before and after', async () => {
    const patch = (sig?: string) => api(`/api/v1/frames/${ids[0]}/attributes`, {
      method: 'PATCH', headers: { ...json, ...(sig ? { 'X-Historian-Signature': sig } : {}) },
      body: JSON.stringify({ set: { released: true, releasedBy: 'QA' }, reason: 'batch release' }),
    });
    expect((await patch()).status).toBe(428);
    const done = await patch(await signingToken(dist, admin, 'frames.attributes.change', `frame:${ids[0]}`, { meaning: 'approval' }));
    expect(done.status, done.text).toBe(200);
    expect(done.body.attributes).toMatchObject({ product: 'PX-100', released: true, releasedBy: 'QA' });
    expect((await api('/api/v1/frames?attr.released=true')).body.frames.map((f: any) => f.id)).toEqual([ids[0]]);
    const audit = await api('/api/v1/audit?action=frames.attributes.change&limit=1');
    expect(audit.body.entries[0]).toMatchObject({ previousValue: { product: 'PX-100', lot: 4711 }, newValue: { released: true }, signature: { meaning: 'approval' } });
  });
});
