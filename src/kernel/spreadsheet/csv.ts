/**
 * CSV that Haven produces: RFC 4180 quoting, every string through `safeCell`.
 *
 * Defaults are for Belgian Excel, where the people who open these files live: `;` as delimiter
 * (Excel in nl-BE and fr-BE splits on the list separator, which is `;`), CRLF line ends, and a
 * UTF-8 byte-order mark (without it Excel reads UTF-8 as Windows-1252 and `Lefèvre` becomes
 * `LefÃ¨vre`).
 */

import { safeCell } from './safe.ts';

export type CsvValue = string | number | null | undefined;

export interface CsvOptions {
  /** One character, not a quote or a line break. Default `;`. */
  delimiter?: string;
  /** Start with a UTF-8 byte-order mark. Default true. */
  bom?: boolean;
  /** Default CRLF, as RFC 4180 says. */
  newline?: '\r\n' | '\n';
}

const BOM = '\uFEFF';

/** A whole CSV document as one string; for small outputs (reports, lists). */
export function toCsv(rows: Iterable<readonly CsvValue[]>, opts: CsvOptions = {}): string {
  const { delimiter, newline, bom } = resolve(opts);
  let out = bom ? BOM : '';
  for (const row of rows) out += encodeCsvRow(row.map(safeValue), delimiter) + newline;
  return out;
}

/**
 * The streaming variant: one string per row (the first one with the BOM), for outputs too large
 * to hold, piped into a response or a file with back-pressure (`Readable.from(csvLines(rows))`).
 */
export async function* csvLines(rows: Iterable<readonly CsvValue[]> | AsyncIterable<readonly CsvValue[]>, opts: CsvOptions = {}): AsyncGenerator<string> {
  const { delimiter, newline, bom } = resolve(opts);
  let first = bom;
  for await (const row of rows) {
    yield (first ? BOM : '') + encodeCsvRow(row.map(safeValue), delimiter) + newline;
    first = false;
  }
}

/**
 * One row, RFC 4180-quoted, WITHOUT formula neutralisation and without line end. Haven's own
 * outputs use `toCsv`/`csvLines`; this is for tools that must reproduce a file byte for byte, such
 * as the synthetic police-export generator, whose hostile remarks are the point.
 */
export function encodeCsvRow(cells: readonly CsvValue[], delimiter: string): string {
  return cells.map((cell) => quote(plain(cell), delimiter)).join(delimiter);
}

function quote(text: string, delimiter: string): string {
  return text.includes(delimiter) || /["\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

function plain(value: CsvValue): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'number') return Number.isFinite(value) ? String(value) : '';
  return value;
}

function safeValue(value: CsvValue): CsvValue {
  return typeof value === 'string' ? safeCell(value) : value;
}

function resolve(opts: CsvOptions): { delimiter: string; newline: string; bom: boolean } {
  const delimiter = opts.delimiter ?? ';';
  if ([...delimiter].length !== 1 || /["\r\n]/.test(delimiter)) throw new RangeError(`invalid CSV delimiter ${JSON.stringify(delimiter)}`);
  return { delimiter, newline: opts.newline ?? '\r\n', bom: opts.bom ?? true };
}
