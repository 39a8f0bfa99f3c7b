import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { encodeCsvRow } from '../../../kernel/spreadsheet/csv.ts';
import { openTable, TableError } from './table.ts';
import { chunked, readRows, utf8, windows1252 } from './testing.ts';

/** Every character Windows-1252 has, minus NUL and the C0 controls a text file does not hold. */
const CP1252_CHARS = (() => {
  const decoder = new TextDecoder('windows-1252');
  const chars: string[] = [];
  for (let b = 0; b < 256; b++) {
    if ((b < 0x20 && b !== 0x09 && b !== 0x0a && b !== 0x0d) || b === 0x7f) continue;
    chars.push(decoder.decode(Uint8Array.of(b)));
  }
  return chars;
})();

function isControl(c: string): boolean {
  const code = c.codePointAt(0) as number;
  return (code < 0x20 && code !== 0x09 && code !== 0x0a && code !== 0x0d) || code === 0x7f;
}

// Characters that matter to a CSV reader, weighted up so that most cells hold some.
const TRICKY = ['"', ';', ',', '\t', '|', '\r', '\n', '\r\n', ' ', "'"];
const cp1252Cell = fc.array(fc.oneof(fc.constantFrom(...CP1252_CHARS), fc.constantFrom(...TRICKY)), { maxLength: 12 }).map((cs) => cs.join(''));
const unicodeCell = fc
  .array(fc.oneof(fc.string({ unit: 'binary', maxLength: 4 }), fc.constantFrom(...TRICKY)), { maxLength: 8 })
  .map((cs) => cs.join(''))
  // Lone surrogates cannot be written as UTF-8; C0 controls would make the file look binary.
  .filter((s) => !/[\uD800-\uDFFF]/.test(s.replace(/[\uD800-\uDBFF][\uDC00-\uDFFF]/g, '')) && ![...s].some(isControl));

const isBlank = (cells: string[]) => cells.every((c) => c.trim() === '');

describe('the CSV reader round-trips what a correct writer wrote', () => {
  it('for every delimiter, both encodings, any chunking', async () => {
    const table = fc
      .record({
        delimiter: fc.constantFrom(';', ',', '\t', '|'),
        encoding: fc.constantFrom('utf-8', 'windows-1252'),
        bom: fc.boolean(),
        crlf: fc.boolean(),
        columns: fc.integer({ min: 2, max: 5 }),
        chunk: fc.integer({ min: 1, max: 64 }),
      })
      .chain((shape) =>
        fc.record({
          shape: fc.constant(shape),
          rows: fc.array(fc.array(shape.encoding === 'utf-8' ? unicodeCell : cp1252Cell, { minLength: shape.columns, maxLength: shape.columns }), {
            minLength: 1,
            maxLength: 12,
          }),
        }),
      );
    await fc.assert(
      fc.asyncProperty(table, async ({ shape, rows }) => {
        // "Boîte" is what makes a Windows-1252 header invalid UTF-8, as in a real French export.
        const headers = Array.from({ length: shape.columns }, (_, i) => (i === 0 ? 'Boîte' : `Kolom ${i}`));
        const newline = shape.crlf ? '\r\n' : '\n';
        const text = [headers, ...rows].map((r) => encodeCsvRow(r, shape.delimiter) + newline).join('');
        const bytes = shape.encoding === 'utf-8' ? utf8((shape.bom ? '\uFEFF' : '') + text) : windows1252(text);
        const expected = rows.filter((r) => !isBlank(r));
        const opened = openTable(chunked(bytes, shape.chunk), { fileName: 'x.csv' });
        if (expected.length === 0) {
          await expect(opened).rejects.toMatchObject({ code: 'header_only' });
          return;
        }
        const t = await opened;
        expect(t).toMatchObject({ delimiter: shape.delimiter, encoding: shape.encoding, headers });
        const read = await readRows(t);
        expect(read.map((r) => r.cells)).toEqual(expected);
        expect(read.every((r) => r.ragged === undefined)).toBe(true);
      }),
      { numRuns: 300 },
    );
  });
});

describe('openTable on random bytes', () => {
  /** Bytes that look like text often enough to reach the parser, not only the binary check. */
  const textish = fc
    .array(fc.oneof(fc.constantFrom(...utf8('a;,"\t|\r\n x')), fc.integer({ min: 0x80, max: 0xff }), fc.integer({ min: 0, max: 255 })), { maxLength: 400 })
    .map((bs) => Uint8Array.from(bs));
  const zipLike = fc.uint8Array({ maxLength: 400 }).map((bs) => Uint8Array.from([0x50, 0x4b, 0x03, 0x04, ...bs]));

  it('never throws anything but a TableError', async () => {
    await fc.assert(
      fc.asyncProperty(fc.oneof(fc.uint8Array({ maxLength: 400 }), textish, zipLike), fc.integer({ min: 1, max: 100 }), async (bytes, chunk) => {
        try {
          const table = await openTable(chunked(bytes, chunk), { fileName: 'x.csv' });
          for (const row of await readRows(table)) expect(row.cells).toHaveLength(table.headers.length);
        } catch (error) {
          if (!(error instanceof TableError)) throw error;
        }
      }),
      { numRuns: 400 },
    );
  });
});
