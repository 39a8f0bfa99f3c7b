/**
 * XLSX that Haven produces, with exceljs. Strings go through `safeCell` like in CSV: an XLSX
 * string cell is never evaluated, but people save it as CSV and open that, so the file must be
 * safe in both forms. Dates are real date cells shown as 31/12/2024.
 */

import { once } from 'node:events';
import type { Writable } from 'node:stream';
import ExcelJS from 'exceljs';
import { safeCell } from './safe.ts';

export type XlsxValue = string | number | null | undefined | Date;

export interface XlsxSheet {
  name: string;
  rows: Iterable<readonly XlsxValue[]>;
}

export interface XlsxSheetStream {
  name: string;
  rows: Iterable<readonly XlsxValue[]> | AsyncIterable<readonly XlsxValue[]>;
}

/** Excel's limit for the text of one cell; longer text is cut (Excel refuses the file otherwise). */
export const MAX_CELL_CHARS = 32_767;
const DATE_FORMAT = 'dd/mm/yyyy';

/** A whole workbook in memory; for small outputs. */
export async function toXlsx(sheets: readonly XlsxSheet[]): Promise<Buffer> {
  const workbook = new ExcelJS.Workbook();
  const names = sheetNames(sheets.map((s) => s.name));
  sheets.forEach((sheet, i) => {
    const worksheet = workbook.addWorksheet(names[i]);
    for (const row of sheet.rows) addRow(worksheet, row);
  });
  return Buffer.from(await workbook.xlsx.writeBuffer());
}

/** The streaming variant: rows are written and flushed one by one into `out` (a file or a response). */
export async function writeXlsx(out: Writable, sheets: readonly XlsxSheetStream[]): Promise<void> {
  const workbook = new ExcelJS.stream.xlsx.WorkbookWriter({ stream: out, useStyles: true, useSharedStrings: false });
  const names = sheetNames(sheets.map((s) => s.name));
  for (const [i, sheet] of sheets.entries()) {
    const worksheet = workbook.addWorksheet(names[i]);
    let n = 0;
    for await (const row of sheet.rows) {
      addRow(worksheet, row).commit();
      if (++n % FLUSH_EVERY === 0) await flushed(worksheet, out);
    }
    worksheet.commit();
  }
  await workbook.commit();
}

/** Rows between two checks of the output: small enough for flat memory, large enough not to slow down. */
export const FLUSH_EVERY = 100;
/** Uncompressed bytes allowed to wait for the zip compressor. */
const MAX_BACKLOG = 1 << 20;

/**
 * exceljs's streaming writer never pushes back: a worksheet writes its XML into the zip entry
 * whether or not the compressor keeps up, so a long export would pile up in memory (measured: 40
 * MB per 300,000 rows). Its zip entry stream is internal; this reads the backlog through it when
 * it has the shape we know (exceljs 4, readable-stream), and only yields to the event loop if not.
 */
interface WorksheetInternals {
  stream?: { pipes?: { _writableState?: { length?: number } }[] };
}

function backlog(worksheet: ExcelJS.Worksheet): number {
  const pipes = (worksheet as unknown as WorksheetInternals).stream?.pipes;
  return Array.isArray(pipes) ? pipes.reduce((sum, p) => sum + (p._writableState?.length ?? 0), 0) : 0;
}

/** Waits until the compressor has caught up with `worksheet` and the output wants more. */
export async function flushed(worksheet: ExcelJS.Worksheet, out: Writable): Promise<void> {
  do await new Promise<void>((resolve) => setImmediate(resolve));
  while (backlog(worksheet) > MAX_BACKLOG);
  if (out.writableNeedDrain) await once(out, 'drain');
}

function addRow(worksheet: ExcelJS.Worksheet, values: readonly XlsxValue[]): ExcelJS.Row {
  const row = worksheet.addRow(values.map(cellValue));
  values.forEach((value, i) => {
    if (value instanceof Date && !Number.isNaN(value.getTime())) row.getCell(i + 1).numFmt = DATE_FORMAT;
  });
  return row;
}

function cellValue(value: XlsxValue): string | number | Date | null {
  if (value === null || value === undefined) return null;
  if (typeof value === 'number') return Number.isFinite(value) ? value : null;
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? null : value;
  return safeCell(value).slice(0, MAX_CELL_CHARS);
}

/**
 * Valid, distinct worksheet names: at most 31 characters, none of `[]:*?/\`, no apostrophe at
 * either end, unique regardless of case. "Sheet n" for an empty name.
 */
export function sheetNames(wanted: readonly string[]): string[] {
  const used = new Set<string>();
  return wanted.map((name, i) => {
    const base =
      name
        .replace(/[[\]:*?/\\]/g, ' ')
        .replace(/^'+|'+$/g, '')
        .trim()
        .slice(0, 31) || `Sheet ${i + 1}`;
    let candidate = base;
    for (let n = 2; used.has(candidate.toLowerCase()); n++) candidate = `${base.slice(0, 31 - ` (${n})`.length)} (${n})`;
    used.add(candidate.toLowerCase());
    return candidate;
  });
}
