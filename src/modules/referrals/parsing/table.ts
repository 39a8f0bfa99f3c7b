/**
 * `openTable`: an uploaded police export (CSV or XLSX) as a header and a stream of rows.
 *
 * Everything streams: the file is read chunk by chunk, CSV bytes are decoded incrementally and
 * parsed by csv-parse as a Transform, XLSX rows come one by one from exceljs's streaming reader.
 * Memory does not grow with the number of rows (except an XLSX's shared-string table, which
 * exceljs keeps). Cells are raw: nothing is trimmed or interpreted here; normalise.ts does that.
 *
 * Failures about the file's content are `TableError`s. `openTable` itself reads the header and one
 * data row ahead, so `empty`, `binary`, `legacy_xls`, `mixed_delimiters`, `too_many_columns`,
 * `duplicate_headers` and `header_only` are thrown before a single row is handed out: the importer
 * can refuse the file before creating anything. Problems found later in the file
 * (`malformed_quotes`, `row_too_large`, `binary` for a NUL byte past the head, `unreadable_xlsx` for
 * a truncated workbook) are thrown while iterating `rows` — or already by `openTable` when they
 * are near the start: the parser reads ahead, and an error discards the rows it had buffered, so
 * a caller treats any error as refusing the whole file (which the importer does). Errors of the
 * source itself (a failing disk or socket) are passed through unchanged.
 */

import { csvRecords } from './csv.ts';
import { createDecoder } from './decode.ts';
import { TableError } from './errors.ts';
import { type TableRow, tableFromRecords } from './records.ts';
import { detectContainer, detectDelimiter, detectEncoding, HEAD_BYTES, looksBinary } from './sniff.ts';
import { xlsxRecords } from './xlsx.ts';

export { TABLE_ERROR_CODES, TableError, type TableErrorCode, type TableErrorParams } from './errors.ts';
export type { TableRow } from './records.ts';

export const DEFAULT_MAX_COLUMNS = 200;

export interface Table {
  format: 'csv' | 'xlsx';
  /** `utf-8` or `windows-1252` for CSV; null for XLSX (always Unicode). */
  encoding: string | null;
  /** The CSV delimiter; null for XLSX. */
  delimiter: string | null;
  /** Raw header cells, trailing empty ones dropped; no two equal once case, accents and spaces are ignored. */
  headers: string[];
  /** The data rows, once (a single pass over the source). */
  rows: AsyncIterable<TableRow>;
  /** Stop reading and release the source, for a caller that does not read every row. */
  close(): Promise<void>;
}

export interface OpenTableOptions {
  /**
   * The uploaded file's name. Only a hint: the content decides the format (a CSV saved as
   * `.xls` is read as CSV). It changes one thing: binary content under an `.xlsx` name is
   * reported as `unreadable_xlsx` (a damaged workbook) rather than `binary`.
   */
  fileName: string;
  maxColumns?: number;
}

export async function openTable(source: AsyncIterable<Uint8Array>, opts: OpenTableOptions): Promise<Table> {
  const maxColumns = opts.maxColumns ?? DEFAULT_MAX_COLUMNS;
  const { head, complete, chunks, release } = await readHead(source);
  const refuse = async (error: TableError): Promise<never> => {
    await release();
    throw error;
  };
  if (head.length === 0) return refuse(new TableError('empty'));

  const container = detectContainer(head);
  if (container === 'xls') return refuse(new TableError('legacy_xls'));
  if (container === 'xlsx') {
    const reader = xlsxRecords(chunks);
    const close = async () => {
      await reader.close();
      await release();
    };
    const { headers, rows } = await withCleanup(tableFromRecords(reader.records, maxColumns), close);
    return { format: 'xlsx', encoding: null, delimiter: null, headers, rows, close: closer(rows, close) };
  }
  if (looksBinary(head)) return refuse(new TableError(/\.xls[xm]$/i.test(opts.fileName) ? 'unreadable_xlsx' : 'binary'));

  const encoding = detectEncoding(head);
  const guess = detectDelimiter(createDecoder(encoding).write(head), complete);
  if (guess.kind === 'mixed') return refuse(new TableError('mixed_delimiters', { line: guess.line, delimiter: guess.delimiter, other: guess.other }));
  const reader = csvRecords(chunks, encoding, guess.delimiter);
  const close = async () => {
    await reader.close();
    await release();
  };
  const { headers, rows } = await withCleanup(tableFromRecords(reader.records, maxColumns), close);
  return { format: 'csv', encoding, delimiter: guess.delimiter, headers, rows, close: closer(rows, close) };
}

interface Head {
  /** The first `HEAD_BYTES` of the file (fewer for a short file). */
  head: Uint8Array;
  /** True when the head is the whole file. */
  complete: boolean;
  /** The whole file again, head first, then the rest of the source as it comes. */
  chunks: AsyncIterable<Uint8Array>;
  /** Release the source when it will not be read to its end (idempotent). */
  release(): Promise<void>;
}

async function readHead(source: AsyncIterable<Uint8Array>): Promise<Head> {
  const it = source[Symbol.asyncIterator]();
  const seen: Uint8Array[] = [];
  let size = 0;
  let done = false;
  while (size < HEAD_BYTES) {
    const next = await it.next();
    if (next.done) {
      done = true;
      break;
    }
    seen.push(next.value);
    size += next.value.length;
  }
  const all = new Uint8Array(size);
  let at = 0;
  for (const chunk of seen) {
    all.set(chunk, at);
    at += chunk.length;
  }
  const head = all.subarray(0, HEAD_BYTES);
  async function* chunks(): AsyncGenerator<Uint8Array> {
    yield* seen.splice(0);
    while (!done) {
      const next = await it.next();
      if (next.done) done = true;
      else yield next.value;
    }
  }
  return {
    head,
    complete: done && all.length <= HEAD_BYTES,
    chunks: chunks(),
    async release() {
      if (done) return;
      done = true;
      await it.return?.();
    },
  };
}

async function withCleanup<T>(work: Promise<T>, close: () => Promise<void>): Promise<T> {
  try {
    return await work;
  } catch (error) {
    await close();
    throw error;
  }
}

function closer(rows: AsyncIterable<TableRow>, close: () => Promise<void>): () => Promise<void> {
  return async () => {
    await (rows as AsyncGenerator<TableRow>).return?.(undefined);
    await close();
  };
}
