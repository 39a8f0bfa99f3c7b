/**
 * Streaming CSV records: bytes → our decoder → csv-parse → records with their first line number.
 * Nothing here holds more than one chunk and one record in memory.
 */

import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { CsvError, type Info, parse } from 'csv-parse';
import { createDecoder } from './decode.ts';
import { TableError } from './errors.ts';
import type { SourceRecord } from './records.ts';
import type { Encoding } from './sniff.ts';

/**
 * Largest record accepted, in characters. A real police row is under 2 KB; without a limit an
 * unclosed quote would make the parser buffer the rest of the file as one field.
 */
export const MAX_RECORD_CHARS = 1 << 20;

export interface CsvReader {
  records: AsyncIterator<SourceRecord>;
  /** Stop reading and release the source (idempotent). */
  close(): Promise<void>;
}

export function csvRecords(chunks: AsyncIterable<Uint8Array>, encoding: Encoding, delimiter: string): CsvReader {
  const decoder = createDecoder(encoding);
  async function* text(): AsyncGenerator<string> {
    for await (const chunk of chunks) {
      // Checked on every chunk, not only the head: a NUL byte never belongs in a CSV.
      if (chunk.includes(0)) throw new TableError('binary');
      const part = decoder.write(chunk);
      if (part) yield part;
    }
    const tail = decoder.end();
    if (tail) yield tail;
  }

  const input = Readable.from(text());
  // The line the last complete record ended on, as the parser went (it reads ahead of us): a
  // broken record starts after it. csv-parse itself reports the line where it gave up, which for
  // an unclosed quote is the end of the file.
  let parsedUpTo = 0;
  const parser = parse({
    delimiter,
    // Our decoder already dropped the byte-order mark.
    bom: false,
    // Every line ending counts, even when one file mixes them (as the Carma sample does).
    record_delimiter: ['\r\n', '\n', '\r'],
    // A stray quote inside an unquoted field (`5" tv`) is kept as text, as Excel does.
    relax_quotes: true,
    // Ragged rows are padded or cut by `shape`, and flagged, not refused.
    relax_column_count: true,
    skip_empty_lines: true,
    max_record_size: MAX_RECORD_CHARS,
    info: true,
    on_record: (record, context) => {
      parsedUpTo = context.lines;
      return record;
    },
  });
  // Errors of either side reach the iteration below; the promise itself is only awaited to close.
  const done = pipeline(input, parser).catch(() => undefined);

  async function* records(): AsyncGenerator<SourceRecord> {
    try {
      for await (const item of parser) {
        const { record, info } = item as { record: string[]; info: Info };
        yield { line: info.lines - lineBreaks(record), cells: record };
      }
    } catch (error) {
      throw toTableError(error, parsedUpTo + 1);
    }
  }

  return {
    records: records(),
    async close() {
      parser.destroy();
      input.destroy();
      await done;
    },
  };
}

/** csv-parse counts the line a record ends on; quoted line breaks inside it tell where it began. */
function lineBreaks(cells: string[]): number {
  let n = 0;
  for (const cell of cells) n += cell.match(/\r\n|\r|\n/g)?.length ?? 0;
  return n;
}

function toTableError(error: unknown, line: number): unknown {
  if (error instanceof TableError || !(error instanceof CsvError)) return error;
  switch (error.code) {
    case 'CSV_MAX_RECORD_SIZE':
      return new TableError('row_too_large', { line, maxChars: MAX_RECORD_CHARS });
    case 'CSV_QUOTE_NOT_CLOSED':
    case 'CSV_INVALID_CLOSING_QUOTE':
    case 'CSV_NON_TRIMABLE_CHAR_AFTER_CLOSING_QUOTE':
      return new TableError('malformed_quotes', { line });
    default:
      return error;
  }
}
