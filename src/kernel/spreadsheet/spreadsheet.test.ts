import { PassThrough, Readable } from 'node:stream';
import ExcelJS from 'exceljs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { csvLines, encodeCsvRow, toCsv } from './csv.ts';
import { isDangerous, safeCell } from './safe.ts';
import { sheetNames, toXlsx, writeXlsx } from './xlsx.ts';

const DANGEROUS_START = /^[=+\-@\t\r＝＋－＠]/u;

/** A minimal RFC 4180 reader, independent of the code under test. */
function parseCsv(text: string, delimiter: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let cell = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i] as string;
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        cell += '"';
        i++;
      } else if (c === '"') quoted = false;
      else cell += c;
    } else if (c === '"') quoted = true;
    else if (c === delimiter) {
      row.push(cell);
      cell = '';
    } else if (c === '\r' && text[i + 1] === '\n') {
      row.push(cell);
      rows.push(row);
      row = [];
      cell = '';
      i++;
    } else cell += c;
  }
  return rows;
}

describe('safeCell', () => {
  it("prefixes with ' what a spreadsheet would take for a formula (OWASP)", () => {
    for (const s of ['=1+1', '+32470123456', '-2+3', '@SUM(A1)', '\t=1', '\r=1', '=HYPERLINK("http://example.invalid","klik")', ' =1+1', '\n@cmd', '＝1+1']) {
      expect(isDangerous(s), JSON.stringify(s)).toBe(true);
      expect(safeCell(s)).toBe(`'${s}`);
    }
    for (const s of ['', 'Maes', '0470 12 34 56', "'=already", 'a=b', '3-2', '<script>alert(1)</script>']) expect(safeCell(s)).toBe(s);
  });

  it('leaves no string starting with a dangerous character, and changes nothing else', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 30 }), (s) => {
        const safe = safeCell(s);
        expect(DANGEROUS_START.test(safe)).toBe(false);
        expect(safe === s || safe === `'${s}`).toBe(true);
      }),
    );
  });
});

describe('toCsv', () => {
  it('quotes per RFC 4180, neutralises formulas, defaults to ; with BOM and CRLF', () => {
    const csv = toCsv([
      ['Naam', 'Opmerking', 'Aantal', 'Leeg'],
      ['Maes', 'Tekst; met "quotes"\nen regel', 3, null],
      ['=cmd|calc', -5, Number.NaN, undefined],
    ]);
    expect(csv).toBe('\uFEFFNaam;Opmerking;Aantal;Leeg\r\nMaes;"Tekst; met ""quotes""\nen regel";3;\r\n\'=cmd|calc;-5;;\r\n');
    expect(toCsv([['a,b', 'c']], { delimiter: ',', bom: false, newline: '\n' })).toBe('"a,b",c\n');
    expect(() => toCsv([], { delimiter: '"' })).toThrow(RangeError);
  });

  it('writes cells a reader gets back, no string starting with a dangerous character (fast-check)', () => {
    const cell = fc.oneof(
      fc.string({ unit: 'binary', maxLength: 12 }),
      fc.constantFrom('=1+1', '+32', '-', '@x', '\t', '\r\n', '"', ';', ','),
      fc.integer(),
      fc.constant(null),
    );
    fc.assert(
      fc.property(
        fc.constantFrom(';', ',', '\t', '|'),
        fc.array(fc.array(cell, { minLength: 1, maxLength: 5 }), { minLength: 1, maxLength: 5 }),
        (delimiter, rows) => {
          const parsed = parseCsv(toCsv(rows, { delimiter, bom: false }), delimiter);
          expect(parsed).toHaveLength(rows.length);
          parsed.forEach((row, r) => {
            row.forEach((text, c) => {
              const original = rows[r]?.[c];
              // Numbers stay numbers: -5 is data, and Excel reads it as the number it is.
              if (typeof original === 'string') expect(DANGEROUS_START.test(text)).toBe(false);
              expect(text).toBe(original === null || original === undefined ? '' : typeof original === 'number' ? String(original) : safeCell(original));
            });
          });
        },
      ),
    );
  });

  it('streams the same text line by line', async () => {
    const rows = [
      ['a', '=b'],
      ['c', 'd;e'],
    ];
    let text = '';
    for await (const line of csvLines(Readable.from(rows))) text += line;
    expect(text).toBe(toCsv(rows));
  });

  it('encodeCsvRow quotes without neutralising (for fixtures that must stay hostile)', () => {
    expect(encodeCsvRow(['=1+1', 'a;b', null, 4], ';')).toBe('=1+1;"a;b";;4');
  });
});

describe('toXlsx and writeXlsx', () => {
  async function read(buffer: Buffer): Promise<ExcelJS.Workbook> {
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(buffer as unknown as ArrayBuffer);
    return wb;
  }

  it('writes typed cells, neutralised strings and real dates, sheet names made valid', async () => {
    const buffer = await toXlsx([
      {
        name: 'Rapport: 2024/2025 [Genk]',
        rows: [
          ['Naam', 'Aantal', 'Datum', 'Formule'],
          ['Maes', 3, new Date(Date.UTC(2024, 11, 31)), '=HYPERLINK("x")'],
          [null, -2, null, '@cmd'],
        ],
      },
      { name: 'rapport- 2024 2025  Genk', rows: [['x']] },
    ]);
    const wb = await read(buffer);
    expect(wb.worksheets.map((w) => w.name)).toEqual(['Rapport  2024 2025  Genk', 'rapport- 2024 2025  Genk']);
    const ws = wb.worksheets[0] as ExcelJS.Worksheet;
    expect(ws.getCell('B2').value).toBe(3);
    expect(ws.getCell('C2').value).toEqual(new Date(Date.UTC(2024, 11, 31)));
    expect(ws.getCell('C2').numFmt).toBe('dd/mm/yyyy');
    expect(ws.getCell('D2').value).toBe('\'=HYPERLINK("x")');
    expect(ws.getCell('D3').value).toBe("'@cmd");
    expect(ws.getCell('B3').value).toBe(-2);
  });

  it('leaves no string cell starting with a dangerous character (fast-check)', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.array(fc.oneof(fc.string({ maxLength: 8 }), fc.constantFrom('=1', '+1', '-1', '@1', '\t1', '\r1')), { minLength: 1, maxLength: 4 }), {
          minLength: 1,
          maxLength: 4,
        }),
        async (rows) => {
          const wb = await read(await toXlsx([{ name: 'Blad1', rows }]));
          wb.worksheets[0]?.eachRow((row) => {
            row.eachCell((c) => {
              if (typeof c.value === 'string') expect(DANGEROUS_START.test(c.value)).toBe(false);
            });
          });
        },
      ),
      { numRuns: 30 },
    );
  });

  it('streams a workbook into a writable', async () => {
    const out = new PassThrough();
    const chunks: Buffer[] = [];
    out.on('data', (c: Buffer) => chunks.push(c));
    async function* rows() {
      yield ['Naam', 'Nr'];
      for (let i = 0; i < 1000; i++) yield [`=x${i}`, i];
    }
    await writeXlsx(out, [{ name: 'Lijst', rows: rows() }]);
    const ws = (await read(Buffer.concat(chunks))).worksheets[0] as ExcelJS.Worksheet;
    expect(ws.rowCount).toBe(1001);
    expect(ws.getCell('A1001').value).toBe("'=x999");
    expect(ws.getCell('B1001').value).toBe(999);
  });

  it('sheetNames: at most 31 characters, distinct regardless of case', () => {
    expect(sheetNames(['Lijst', 'LIJST', 'lijst', '', "'x'", 'a'.repeat(40)])).toEqual(['Lijst', 'LIJST (2)', 'lijst (3)', 'Sheet 4', 'x', 'a'.repeat(31)]);
  });
});
