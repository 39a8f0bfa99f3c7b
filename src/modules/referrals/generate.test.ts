import { PassThrough } from 'node:stream';
import v8 from 'node:v8';
import vm from 'node:vm';
import { describe, expect, it } from 'vitest';
import { generatePoliceExport, MESS, POLICE_HEADERS, writePoliceExportXlsx } from './generate.ts';
import { compileMapping, suggestMapping } from './parsing/headers.ts';
import { normaliseRow } from './parsing/normalise.ts';
import { openTable, type Table } from './parsing/table.ts';

const encoder = new TextEncoder();
const today = '2026-01-01';

async function* bytes(lines: AsyncIterable<string>): AsyncGenerator<Uint8Array> {
  let batch = '';
  for await (const line of lines) {
    batch += line;
    if (batch.length > 16_384) {
      yield encoder.encode(batch);
      batch = '';
    }
  }
  if (batch) yield encoder.encode(batch);
}

async function text(lines: AsyncIterable<string>): Promise<string> {
  let out = '';
  for await (const line of lines) out += line;
  return out;
}

async function xlsx(opts: Parameters<typeof writePoliceExportXlsx>[1]): Promise<Uint8Array> {
  const out = new PassThrough();
  const chunks: Buffer[] = [];
  out.on('data', (c: Buffer) => chunks.push(c));
  await writePoliceExportXlsx(out, opts);
  return new Uint8Array(Buffer.concat(chunks));
}

interface Tally {
  rows: number;
  pvs: Map<string, number>;
  warnings: Record<string, number>;
  setAside: Record<string, number>;
  duplicates: number;
}

async function tally(table: Table): Promise<Tally> {
  const suggestion = suggestMapping(table.headers);
  expect(suggestion.unknownHeaders).toEqual([]);
  const project = compileMapping(table.headers, suggestion.mapping);
  const t: Tally = { rows: 0, pvs: new Map(), warnings: {}, setAside: {}, duplicates: 0 };
  let previous = '';
  for await (const row of table.rows) {
    t.rows++;
    const key = row.cells.join('\u0001');
    if (key === previous) t.duplicates++;
    previous = key;
    const result = normaliseRow(project(row.cells), { today });
    for (const w of result.warnings) t.warnings[`${w.field}:${w.code}`] = (t.warnings[`${w.field}:${w.code}`] ?? 0) + 1;
    if (result.setAside) t.setAside[result.setAside] = (t.setAside[result.setAside] ?? 0) + 1;
    if (result.row.pv_number) t.pvs.set(result.row.pv_number, (t.pvs.get(result.row.pv_number) ?? 0) + 1);
  }
  return t;
}

/** A share within a factor of the rate it was generated with (the sample is a few thousand rows). */
function near(count: number, total: number, rate: number): void {
  expect(count / total).toBeGreaterThan(rate * 0.5);
  expect(count / total).toBeLessThan(rate * 1.6);
}

describe('generatePoliceExport', () => {
  it('is deterministic from the seed', async () => {
    const a = await text(generatePoliceExport({ rows: 200, lang: 'nl', seed: 7 }));
    expect(await text(generatePoliceExport({ rows: 200, lang: 'nl', seed: 7 }))).toBe(a);
    expect(await text(generatePoliceExport({ rows: 200, lang: 'nl', seed: 8 }))).not.toBe(a);
    expect(a.startsWith(`\uFEFF${POLICE_HEADERS.nl.join(';')}\r\n`)).toBe(true);
  });

  it('writes a Dutch export our reader parses, with the mess it was asked for', async () => {
    const rows = 6000;
    const table = await openTable(bytes(generatePoliceExport({ rows, lang: 'nl', seed: 42 })), { fileName: 'carma.csv' });
    expect(table).toMatchObject({ format: 'csv', encoding: 'utf-8', delimiter: ';', headers: POLICE_HEADERS.nl });
    const t = await tally(table);
    expect(t.rows).toBe(rows);
    // Only the injected faults produce warnings: every landline, birth date, language… is valid.
    expect(Object.keys(t.warnings).sort()).toEqual(['facts_date:date_impossible', 'mobile:phone_unusable']);
    near(t.warnings['mobile:phone_unusable'] ?? 0, rows, MESS.mobileUnknown + MESS.mobileShort);
    near(t.warnings['facts_date:date_impossible'] ?? 0, rows, MESS.factsImpossible);
    near(t.setAside.orange ?? 0, rows, MESS.orange);
    near(t.setAside.red ?? 0, rows, MESS.red);
    near(t.setAside.no_pv_number ?? 0, rows, MESS.noPv);
    expect(t.setAside.no_colour).toBeUndefined();
    expect(t.setAside.no_name).toBeUndefined();
    near(t.duplicates, rows, MESS.duplicate);
    // Two persons per PV mostly.
    const sizes = [...t.pvs.values()];
    expect(sizes.filter((n) => n === 2).length / sizes.length).toBeGreaterThan(0.6);
  });

  it('writes a French export with "," and French spellings', async () => {
    const rows = 3000;
    const table = await openTable(bytes(generatePoliceExport({ rows, lang: 'fr', seed: 3 })), { fileName: 'namur.csv' });
    expect(table).toMatchObject({ delimiter: ',', headers: POLICE_HEADERS.fr });
    const t = await tally(table);
    expect(t.rows).toBe(rows);
    expect(Object.keys(t.warnings).sort()).toEqual(['facts_date:date_impossible', 'mobile:phone_unusable']);
    near(t.setAside.orange ?? 0, rows, MESS.orange);
  });

  it('writes an XLSX with date and number cells that reads back the same way', async () => {
    const rows = 1500;
    const table = await openTable(
      (async function* () {
        yield await xlsx({ rows, lang: 'nl', seed: 5 });
      })(),
      { fileName: 'carma.xlsx' },
    );
    expect(table).toMatchObject({ format: 'xlsx', headers: POLICE_HEADERS.nl });
    const t = await tally(table);
    expect(t.rows).toBe(rows);
    expect(Object.keys(t.warnings).sort()).toEqual(['facts_date:date_impossible', 'mobile:phone_unusable']);
    near(t.warnings['mobile:phone_unusable'] ?? 0, rows, MESS.mobileUnknown + MESS.mobileShort);
  });

  it('streams: reading 100,000 generated rows does not hold them in memory', async () => {
    // A collection before each measure, so that only live objects count (garbage is timing).
    v8.setFlagsFromString('--expose-gc');
    const gc = vm.runInNewContext('gc') as () => void;
    const live = () => {
      gc();
      return process.memoryUsage().heapUsed;
    };
    const rows = 100_000;
    const table = await openTable(bytes(generatePoliceExport({ rows, lang: 'nl', seed: 9 })), { fileName: 'big.csv' });
    const base = live();
    let peak = 0;
    let n = 0;
    for await (const _ of table.rows) if (++n % 10_000 === 0) peak = Math.max(peak, live() - base);
    expect(n).toBe(rows);
    // The CSV is about 19 MB, and its rows as objects would take several times that.
    expect(peak).toBeLessThan(16 * 1024 * 1024);
  }, 60_000);
});
