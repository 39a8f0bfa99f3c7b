/** `haven generate police-export`: synthetic police exports (every person invented). */
import { createWriteStream } from 'node:fs';
import { PassThrough, Readable, type Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { type ExportLang, generatePoliceExport, writePoliceExportXlsx } from '../modules/referrals/generate.ts';
import { CliError, t } from './lang.ts';

export interface GeneratePoliceExportOptions {
  rows: string;
  lang?: string;
  format?: string;
  seed?: string;
  out?: string;
}

/** The most rows one call writes: more than any zone sends in a year, and still a few minutes. */
const MAX_ROWS = 10_000_000;

/**
 * `haven generate police-export`: a synthetic police export (CSV or XLSX) for tests, demos and
 * benchmarks, to a file or standard output. Streams: memory stays flat for a million rows.
 */
export async function generatePoliceExportCommand(o: GeneratePoliceExportOptions): Promise<void> {
  const rows = integer(o.rows, '--rows');
  if (rows < 1 || rows > MAX_ROWS) throw new CliError('rowsRange', { max: MAX_ROWS });
  const lang = o.lang ?? 'nl';
  if (lang !== 'nl' && lang !== 'fr') throw new CliError('exportLang');
  const format = o.format ?? 'csv';
  if (format !== 'csv' && format !== 'xlsx') throw new CliError('exportFormat');
  const seed = o.seed === undefined ? 1 : integer(o.seed, '--seed');
  const options = { rows, lang: lang as ExportLang, seed };

  const toFile = o.out !== undefined;
  const out: Writable = toFile ? createWriteStream(o.out as string) : process.stdout;
  // Standard output is never ended (exceljs would wait forever for it to finish): the workbook
  // is written into a PassThrough that is piped on.
  if (format === 'csv') await pipeline(Readable.from(generatePoliceExport(options)), out, { end: toFile });
  else {
    const pass = new PassThrough();
    const piping = pipeline(pass, out, { end: toFile });
    await writePoliceExportXlsx(pass, options);
    await piping;
  }
  if (toFile) process.stderr.write(`haven: ${t('generate.wrote', { count: rows, file: o.out })}\n`);
}

function integer(value: string, name: string): number {
  if (!/^\d+$/.test(value.trim())) throw new CliError('wholeNumber', { option: name });
  return Number(value);
}
