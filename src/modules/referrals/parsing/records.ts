/**
 * From a stream of raw records (CSV or XLSX alike) to a header and shaped data rows.
 */

import { TableError } from './errors.ts';
import { foldKey, isBlank } from './text.ts';

/** A record as a reader produced it: its cells and the line (CSV) or sheet row (XLSX) it starts on. */
export interface SourceRecord {
  line: number;
  cells: string[];
}

export interface TableRow {
  /** 1-based number of the data row: the first row after the header is 1; blank lines are not counted. */
  rowNo: number;
  /** Where the row starts in the file: the physical line of a CSV (header included), the row number of a worksheet. */
  line: number;
  /** Exactly one raw, untrimmed cell per header. */
  cells: string[];
  /**
   * Set when the row did not have one cell per header: `short` rows were padded with empty
   * cells, `long` rows had non-empty cells beyond the last header, which were cut. Extra cells
   * that are all empty (a trailing delimiter) are cut without a flag.
   */
  ragged?: 'short' | 'long';
}

/**
 * Reads the header (the first non-blank record) and one data row ahead, so that an empty file,
 * a header-only file, too many columns and duplicate headers are all refused before any row is
 * handed out. The iterator is left open on success; the caller closes it on error.
 */
export async function tableFromRecords(
  records: AsyncIterator<SourceRecord>,
  maxColumns: number,
): Promise<{ headers: string[]; rows: AsyncIterable<TableRow> }> {
  const header = await nextNonBlank(records);
  if (!header) throw new TableError('empty');
  const headers = withoutTrailingEmpty(header.cells);
  if (headers.length > maxColumns) throw new TableError('too_many_columns', { columns: headers.length, max: maxColumns });
  checkDuplicates(headers);
  const first = await nextNonBlank(records);
  if (!first) throw new TableError('header_only');

  async function* rows(): AsyncGenerator<TableRow> {
    try {
      let rowNo = 1;
      let record: SourceRecord | undefined = first;
      while (record) {
        yield { rowNo, line: record.line, ...shape(record.cells, headers.length) };
        rowNo++;
        record = await nextNonBlank(records);
      }
    } finally {
      await records.return?.();
    }
  }
  return { headers, rows: rows() };
}

async function nextNonBlank(records: AsyncIterator<SourceRecord>): Promise<SourceRecord | undefined> {
  for (;;) {
    const next = await records.next();
    if (next.done) return undefined;
    if (!next.value.cells.every(isBlank)) return next.value;
  }
}

/** Trailing empty header cells are dropped: spreadsheets often write a few empty columns at the end. */
function withoutTrailingEmpty(cells: string[]): string[] {
  let end = cells.length;
  while (end > 0 && isBlank(cells[end - 1] as string)) end--;
  return cells.slice(0, end);
}

/** Headers equal once case, accents, spaces and punctuation are ignored cannot be told apart by a mapping. */
function checkDuplicates(headers: string[]): void {
  const seen = new Map<string, number>();
  headers.forEach((header, index) => {
    const key = foldKey(header);
    if (key === '') return;
    const before = seen.get(key);
    if (before !== undefined) throw new TableError('duplicate_headers', { header: header.trim(), first: before + 1, second: index + 1 });
    seen.set(key, index);
  });
}

export function shape(cells: string[], width: number): { cells: string[]; ragged?: 'short' | 'long' } {
  if (cells.length === width) return { cells };
  if (cells.length < width) return { cells: [...cells, ...Array<string>(width - cells.length).fill('')], ragged: 'short' };
  const cut = cells.slice(0, width);
  return cells.slice(width).every(isBlank) ? { cells: cut } : { cells: cut, ragged: 'long' };
}
