/**
 * Streaming XLSX records with exceljs's `stream.xlsx.WorkbookReader`: the first worksheet, one
 * row at a time, every cell turned into the text a person sees in Excel.
 */

import { Readable } from 'node:stream';
import ExcelJS from 'exceljs';
import { TableError } from './errors.ts';
import type { SourceRecord } from './records.ts';

export interface XlsxReader {
  records: AsyncIterator<SourceRecord>;
  close(): Promise<void>;
}

export function xlsxRecords(chunks: AsyncIterable<Uint8Array>): XlsxReader {
  // exceljs pipes its input into the unzipper without forwarding errors, so a failing source would
  // leave it waiting forever: the source's error is kept aside, the input just ends (the unzipper
  // then fails on a truncated file), and the source's error is the one thrown.
  const failure: { error?: unknown } = {};
  const input = Readable.from(toBuffers(chunks, failure));
  const workbook = new ExcelJS.stream.xlsx.WorkbookReader(input, {
    worksheets: 'emit',
    sharedStrings: 'cache',
    // Styles are needed to know which numbers are dates.
    styles: 'cache',
    hyperlinks: 'ignore',
    entries: 'ignore',
  });

  async function* records(): AsyncGenerator<SourceRecord> {
    let sheets = 0;
    try {
      for await (const sheet of workbook) {
        sheets++;
        for await (const row of sheet) yield { line: row.number, cells: rowCells(row) };
        // Only the first worksheet: an export's other sheets are notes or pivot tables.
        break;
      }
    } catch (error) {
      if (failure.error !== undefined) throw failure.error;
      if (error instanceof TableError) throw error;
      throw new TableError('unreadable_xlsx');
    } finally {
      input.destroy();
    }
    if (sheets === 0) throw new TableError('unreadable_xlsx', { reason: 'no_worksheet' });
  }

  return {
    records: records(),
    async close() {
      input.destroy();
    },
  };
}

async function* toBuffers(chunks: AsyncIterable<Uint8Array>, failure: { error?: unknown }): AsyncGenerator<Buffer> {
  try {
    // The unzipper under exceljs expects Buffers, not plain Uint8Arrays.
    for await (const chunk of chunks) yield Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
  } catch (error) {
    failure.error = error;
  }
}

function rowCells(row: ExcelJS.Row): string[] {
  const values = row.values;
  if (!Array.isArray(values)) return [];
  const cells: string[] = [];
  // exceljs's row values are 1-based: index 0 is always empty.
  for (let c = 1; c < values.length; c++) {
    const value: unknown = values[c];
    cells.push(cellText(value, () => row.getCell(c).numFmt));
  }
  return cells;
}

/**
 * The text of one cell: strings as they are, Date cells as `yyyy-mm-dd`, numbers in plain
 * notation (486251262, never 4.86e8; at most 15 significant digits, as Excel shows them), rich
 * text concatenated, formulas and hyperlinks by their shown result, error cells (`#N/A`) empty.
 */
export function cellText(value: unknown, numFmt: () => string | undefined = () => undefined): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'string') return value;
  if (typeof value === 'number') return numberText(value);
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  if (value instanceof Date) return dateText(value);
  if (typeof value !== 'object') return '';
  if ('richText' in value && Array.isArray(value.richText)) return value.richText.map((part: unknown) => cellText(partText(part))).join('');
  if ('result' in value || 'formula' in value || 'sharedFormula' in value) {
    const result: unknown = 'result' in value ? value.result : undefined;
    // A formula's numeric result is not converted to a date by exceljs; its format tells.
    if (typeof result === 'number' && isDateFormat(numFmt())) return dateText(excelSerialToDate(result));
    return result !== null && typeof result === 'object' && 'error' in result ? '' : cellText(result);
  }
  if ('text' in value) return cellText(value.text);
  return '';
}

function partText(part: unknown): unknown {
  return part !== null && typeof part === 'object' && 'text' in part ? part.text : '';
}

function numberText(n: number): string {
  if (!Number.isFinite(n)) return '';
  if (Number.isInteger(n) && Math.abs(n) < 1e21) return BigInt(n).toString();
  const rounded = Number(n.toPrecision(15));
  if (Math.abs(rounded) >= 1e-6) return String(rounded);
  // Very small numbers: plain notation too, trailing zeros dropped.
  return rounded.toFixed(20).replace(/\.?0+$/, '');
}

function dateText(d: Date): string {
  if (Number.isNaN(d.getTime())) return '';
  const pad = (n: number, w = 2) => String(n).padStart(w, '0');
  return `${pad(d.getUTCFullYear(), 4)}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}`;
}

/** Excel's 1900 date system (serial 25569 is 1970-01-01), as exceljs uses for date cells. */
function excelSerialToDate(serial: number): Date {
  return new Date(Math.round((serial - 25569) * 86_400_000));
}

/** A number format shows a date when it has day or year tokens outside quotes and brackets. */
export function isDateFormat(fmt: string | undefined): boolean {
  if (!fmt) return false;
  const bare = fmt
    .replace(/"[^"]*"/g, '')
    .replace(/\[[^\]]*\]/g, '')
    .replace(/\\./g, '');
  return /[dy]/i.test(bare);
}
