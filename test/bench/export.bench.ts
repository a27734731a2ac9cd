// Export benchmark: 1,000,000 rows (10 tags × 100,000 samples, long layout) read from a
// real store and streamed as CSV and XLSX into a byte-counting sink. Baseline in the same
// run: exceljs' streaming WorkbookWriter fed the same rows. Peak RSS is sampled while the
// exports run (the store itself is part of it).
import { Writable } from 'node:stream';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import ExcelJS from 'exceljs';
import { TsdbStore } from '../../runtime/tsdb/store';
import { encoderFor, rawSource, runExport } from '../../runtime/export/export-service';
import { parseExportRequest } from '../../runtime/export/export-request';
import { longRows } from '../../runtime/export/rows';
import { qualityText } from '../../runtime/export/encoder';
import { metric, writeReport } from './lib/report';

const TAGS = Array.from({ length: 10 }, (_, i) => `acme.izmir.plant1.line1.cell1.pump${i}.flow`);
const PER_TAG = 100_000;
const T0 = Date.UTC(2026, 0, 1);

class Sink extends Writable {
  bytes = 0;
  _write(chunk: Buffer, _e: BufferEncoding, cb: () => void): void { this.bytes += chunk.length; cb(); }
}

let peakRss = 0;
const sampler = setInterval(() => { peakRss = Math.max(peakRss, process.memoryUsage().rss); }, 20);

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'export-bench-'));
  const store = await TsdbStore.open({ dir, maintenanceIntervalMs: 0, fsync: 'never', outOfOrderWindowMs: 1e12 });
  try {
    for (const tag of TAGS) {
      for (let off = 0; off < PER_TAG; off += 20_000) {
        const batch = [];
        for (let i = off; i < off + 20_000; i++) batch.push({ tag, ts: T0 + i * 1000, value: Math.round(500 + 100 * Math.sin(i / 300)) / 10, quality: 0 });
        await store.write(batch);
      }
    }
    await store.flush();
    const req = (format: string) => parseExportRequest({ tags: TAGS.join(','), from: T0, to: T0 + PER_TAG * 1000, format });
    global.gc?.();
    const rssBefore = process.memoryUsage().rss;
    peakRss = rssBefore;

    const time = async (format: string) => {
      const sink = new Sink();
      const r = req(format);
      const t = performance.now();
      const { rows } = await runExport(rawSource(store), r, encoderFor(sink, r));
      const s = (performance.now() - t) / 1000;
      if (rows !== TAGS.length * PER_TAG) throw new Error(`${format}: ${rows} rows`);
      console.log(`${format}: ${rows} rows, ${(sink.bytes / 1e6).toFixed(1)} MB in ${s.toFixed(2)} s`);
      return s;
    };
    await time('csv'); // warm-up of the store's read path
    const csv = await time('csv');
    const xlsx = await time('xlsx');
    const peak = peakRss / 1e6;

    // Baseline: exceljs streaming writer over the same merged rows.
    const sink = new Sink();
    const t = performance.now();
    const wb = new ExcelJS.stream.xlsx.WorkbookWriter({ stream: sink, useSharedStrings: true, useStyles: true });
    const ws = wb.addWorksheet('Data');
    ws.addRow(['time', 'tag', 'value', 'quality']).commit();
    for await (const b of longRows(rawSource(store), TAGS, T0, T0 + PER_TAG * 1000)) {
      for (let i = 0; i < b.n; i++) ws.addRow([new Date(b.ts[i]), TAGS[b.tag[i]], b.value[i], qualityText(b.quality[i])]).commit();
    }
    ws.commit();
    await wb.commit();
    const exceljs = (performance.now() - t) / 1000;
    console.log(`exceljs WorkbookWriter: ${(sink.bytes / 1e6).toFixed(1)} MB in ${exceljs.toFixed(2)} s`);

    writeReport('export', [
      metric('export.csv_1m_rows_s', csv, 's', 'lower', 1),
      metric('export.xlsx_1m_rows_s', xlsx, 's', 'lower', 5, { name: 'exceljs streaming WorkbookWriter', value: exceljs }),
      metric('export.peak_rss_mb', peak, 'MB', 'lower', null, { name: 'rss before the exports', value: rssBefore / 1e6 }),
    ]);
  } finally {
    clearInterval(sampler);
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((e) => { console.error(e); process.exit(1); });
