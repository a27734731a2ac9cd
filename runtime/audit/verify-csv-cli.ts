// Offline re-verification of an exported audit CSV, for an inspector without access to the
// server: `node dist/runtime/audit/verify-csv-cli.js audit.csv` (exit 0 = every row hashes
// to its stored hash and consecutive rows link; 1 = the first problem is printed).
import { createReadStream } from 'node:fs';
import { CsvChainChecker, CsvParser, type CsvVerifyResult } from './csv';

export async function verifyCsvFile(file: string): Promise<CsvVerifyResult> {
  const parser = new CsvParser();
  const checker = new CsvChainChecker();
  for await (const chunk of createReadStream(file, { encoding: 'utf8' })) {
    for (const r of parser.push(chunk as string)) checker.add(r);
  }
  for (const r of parser.end()) checker.add(r);
  return checker.result();
}

if (require.main === module) {
  const file = process.argv[2];
  if (!file) {
    console.error('usage: node verify-csv-cli.js <audit export.csv>');
    process.exit(2);
  }
  verifyCsvFile(file).then((r) => {
    if (r.ok) {
      console.log(`OK: ${r.rows} entries (seq ${r.firstSeq}–${r.lastSeq}), ${r.linked} links checked; last hash ${r.lastHash}`);
    } else {
      console.log(`FAILED: ${r.problem!.message} (line ${r.problem!.line})`);
    }
    process.exit(r.ok ? 0 : 1);
  }, (e: unknown) => {
    console.error(`cannot read ${file}: ${(e as Error).message}`);
    process.exit(2);
  });
}
