import ExcelJS from 'exceljs';
import { describe, expect, it } from 'vitest';
import { openTable, TableError } from './table.ts';
import { chunked, fixture, readRows, tableError, utf8, windows1252 } from './testing.ts';

const open = (bytes: Uint8Array, fileName = 'export.csv', chunk = 4096) => openTable(chunked(bytes, chunk), { fileName });

describe('openTable on the Carma sample (Dutch, ";", UTF-8 with BOM, CRLF and LF)', () => {
  it('reads 22 headers and 280 rows, whatever the chunk size', async () => {
    for (const size of [1, 7, 1000, 1 << 20]) {
      const table = await open(fixture('police-export-carma.csv'), 'police-export-carma.csv', size);
      expect(table).toMatchObject({ format: 'csv', encoding: 'utf-8', delimiter: ';' });
      expect(table.headers[0]).toBe('PV-nummer'); // the BOM is gone
      expect(table.headers).toHaveLength(22);
      const rows = await readRows(table);
      expect(rows).toHaveLength(280);
      expect(rows.every((r) => r.cells.length === 22 && !r.ragged)).toBe(true);
    }
  });

  it('keeps cells raw, quoted delimiters, quotes and line breaks included, and knows where each row starts', async () => {
    const rows = await readRows(await open(fixture('police-export-carma.csv')));
    expect(rows[0]).toMatchObject({ rowNo: 1, line: 2 });
    expect(rows[0]?.cells.slice(0, 3)).toEqual(['HA.55.L7.085320/2024', '13/03/2024', '14/03/2024']);
    expect(rows[4]?.cells[9]).toBe('  EL AMRANI '); // not trimmed here
    expect(rows[4]?.cells[21]).toBe('Spanning na scheiding; kinderen sliepen');
    // Row 14 holds a quoted line break: it starts on line 15 and row 15 on line 17.
    expect(rows[13]).toMatchObject({ rowNo: 14, line: 15 });
    expect(rows[13]?.cells[21]).toBe('Regel 1\nRegel 2 met "aanhalingstekens"');
    expect(rows[14]).toMatchObject({ rowNo: 15, line: 17 });
    expect(rows.find((r) => r.cells[21]?.startsWith('=HYPERLINK'))?.cells[21]).toBe('=HYPERLINK("http://example.invalid","klik")');
  });
});

describe('openTable on the Namur sample (French, ",")', () => {
  it('reads 22 French headers and 122 rows', async () => {
    const table = await open(fixture('police-export-namur-fr.csv'));
    expect(table).toMatchObject({ format: 'csv', encoding: 'utf-8', delimiter: ',' });
    expect(table.headers.slice(0, 3)).toEqual(['Numéro PV', 'Date des faits', "Date d'enregistrement"]);
    const rows = await readRows(table);
    expect(rows).toHaveLength(122);
    expect(rows[0]?.cells[18]).toBe('Partenaire');
    expect(rows.filter((r) => r.cells[0] === '')).toHaveLength(1);
  });
});

describe('openTable on hostile files', () => {
  it('refuses an empty file, a whitespace-only file and a BOM-only file as empty', async () => {
    for (const bytes of [new Uint8Array(0), utf8('  \r\n\t\n   \n'), Uint8Array.of(0xef, 0xbb, 0xbf), utf8(';;;\n;;\n')]) {
      expect((await tableError(open(bytes))).code).toBe('empty');
    }
  });

  it('refuses a header without data rows in openTable itself, blank lines after it included', async () => {
    expect((await tableError(open(utf8('PV-nummer;Naam;Voornaam\r\n')))).code).toBe('header_only');
    expect((await tableError(open(utf8('PV-nummer;Naam;Voornaam\r\n\r\n  ;  ; \r\n')))).code).toBe('header_only');
  });

  it('refuses a PNG renamed .csv as binary, and a damaged .xlsx as unreadable', async () => {
    const png = Uint8Array.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 0x0d, 0x49, 0x48, 0x44, 0x52, 0, 0, 1, 0]);
    expect((await tableError(open(png, 'export.csv'))).code).toBe('binary');
    expect((await tableError(open(png, 'export.xlsx'))).code).toBe('unreadable_xlsx');
  });

  it('refuses a NUL byte far past the head while iterating', async () => {
    const text = `PV;Naam\r\n${'HA.1;Maes\r\n'.repeat(10_000)}HA.2;Ma\u0000es\r\n`;
    const table = await open(utf8(text));
    expect((await tableError(readRows(table))).code).toBe('binary');
  });

  it('refuses the old binary Excel format with its own code', async () => {
    const xls = Uint8Array.from([0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1, ...new Array(100).fill(0)]);
    expect((await tableError(open(xls, 'export.xls'))).code).toBe('legacy_xls');
  });

  it('refuses 10,000 columns with the count and the maximum', async () => {
    const header = Array.from({ length: 10_000 }, (_, i) => `k${i}`).join(';');
    const error = await tableError(open(utf8(`${header}\n${'x;'.repeat(9_999)}x\n`)));
    expect(error).toMatchObject({ code: 'too_many_columns', params: { columns: 10_000, max: 200 } });
    const ok = await openTable(chunked(utf8('a;b;c\n1;2;3\n')), { fileName: 'x.csv', maxColumns: 3 });
    expect(ok.headers).toEqual(['a', 'b', 'c']);
  });

  it('refuses mixed delimiters', async () => {
    const error = await tableError(open(utf8('PV;Naam;Voornaam\n1;Maes;An\n2,Peeters,Jan\n')));
    expect(error).toMatchObject({ code: 'mixed_delimiters', params: { line: 3, delimiter: ';', other: ',' } });
  });

  it('refuses headers that are equal once case, accents and spaces are ignored', async () => {
    const error = await tableError(open(utf8('PV;Naam;Tél;tel \n1;Maes;2;3\n')));
    expect(error).toMatchObject({ code: 'duplicate_headers', params: { header: 'tel', first: 3, second: 4 } });
  });

  it('refuses an unclosed quote and a record larger than 1 MiB, in openTable or while iterating', async () => {
    expect(await tableError(open(utf8('PV;Naam\n1;Maes\n2;"Peeters\n3;Claes\n')))).toMatchObject({ code: 'malformed_quotes' });
    const late = `PV;Naam\n${'1;Maes\n'.repeat(20_000)}2;"Peeters\n3;Claes\n`;
    expect(await tableError(open(utf8(late)).then(readRows))).toMatchObject({ code: 'malformed_quotes', params: { line: 20_002 } });
    const huge = `PV;Naam\n1;Maes\n2;Peeters\n3;"${'x'.repeat(1_100_000)}\n`;
    expect(await tableError(open(utf8(huge)).then(readRows))).toMatchObject({ code: 'row_too_large', params: { line: 4 } });
  });

  it('pads short rows and cuts long ones, flagging them; a trailing delimiter is not ragged', async () => {
    const rows = await readRows(await open(utf8('a;b;c\n1;2\n1;2;3;4\n1;2;3;;\n1;2;3\n')));
    expect(rows.map((r) => [r.cells, r.ragged])).toEqual([
      [['1', '2', ''], 'short'],
      [['1', '2', '3'], 'long'],
      [['1', '2', '3'], undefined],
      [['1', '2', '3'], undefined],
    ]);
  });

  it('drops trailing empty header cells and skips blank lines without counting them', async () => {
    const table = await open(utf8('\r\nPV;Naam;;\r\n1;Maes;;\r\n\r\n2;Peeters;;\r\n'));
    expect(table.headers).toEqual(['PV', 'Naam']);
    const rows = await readRows(table);
    expect(rows.map((r) => [r.rowNo, r.line, r.cells])).toEqual([
      [1, 3, ['1', 'Maes']],
      [2, 5, ['2', 'Peeters']],
    ]);
  });

  it('reads Windows-1252 files (Excel on Windows) and stray Windows-1252 bytes in a UTF-8 file', async () => {
    const table = await open(windows1252('Nom;Prénom;Boîte\r\nLefèvre;François;b4\r\nŒuvre;Zoë;€\r\n'));
    expect(table).toMatchObject({ encoding: 'windows-1252', headers: ['Nom', 'Prénom', 'Boîte'] });
    expect((await readRows(table)).map((r) => r.cells)).toEqual([
      ['Lefèvre', 'François', 'b4'],
      ['Œuvre', 'Zoë', '€'],
    ]);
    // ASCII for the first 64 KiB, then one Windows-1252 byte: still read as ç, not U+FFFD.
    const head = `Naam;Voornaam\r\n${'Maes;Jan\r\n'.repeat(8000)}`;
    const mixed = new Uint8Array([...utf8(head), ...windows1252('Dubois;François\r\n')]);
    const rows = await readRows(await open(mixed));
    expect(rows.at(-1)?.cells).toEqual(['Dubois', 'François']);
  });

  it('reads tab- and pipe-separated files, and lone CR line ends', async () => {
    expect((await readRows(await open(utf8('a\tb\n1\t2\n')))).map((r) => r.cells)).toEqual([['1', '2']]);
    expect((await readRows(await open(utf8('a|b\r1|2\r3|4')))).map((r) => r.cells)).toEqual([
      ['1', '2'],
      ['3', '4'],
    ]);
  });

  it('releases the source when the caller stops early or closes without reading', async () => {
    let released = 0;
    async function* source() {
      try {
        yield utf8('PV;Naam\n');
        for (let i = 0; i < 100_000; i++) yield utf8(`${i};Maes\n`);
      } finally {
        released++;
      }
    }
    const table = await openTable(source(), { fileName: 'x.csv' });
    for await (const row of table.rows) if (row.rowNo === 3) break;
    await table.close();
    const unread = await openTable(source(), { fileName: 'x.csv' });
    await unread.close();
    expect(released).toBe(2);
    const refused = openTable(
      (async function* () {
        try {
          yield utf8('a;b\n1;2\n3,4,5\n');
          yield utf8('more');
        } finally {
          released++;
        }
      })(),
      { fileName: 'x.csv' },
    );
    expect((await tableError(refused)).code).toBe('mixed_delimiters');
    expect(released).toBe(3);
  });

  it('passes errors of the source itself through unchanged', async () => {
    async function* failing() {
      yield utf8(`PV;Naam\n${'1;Maes\n'.repeat(20_000)}`);
      throw new Error('disk on fire');
    }
    await expect(openTable(failing(), { fileName: 'x.csv' }).then(readRows)).rejects.toThrow('disk on fire');
  });
});

describe('openTable on XLSX', () => {
  async function workbook(build: (ws: ExcelJS.Worksheet, wb: ExcelJS.Workbook) => void): Promise<Uint8Array> {
    const wb = new ExcelJS.Workbook();
    build(wb.addWorksheet('Blad1'), wb);
    return new Uint8Array(await wb.xlsx.writeBuffer());
  }

  it('reads the first worksheet by content, whatever the name, with cells as Excel shows them', async () => {
    const bytes = await workbook((ws, wb) => {
      ws.addRow(['PV-nummer', 'Datum feiten', 'GSM', 'Naam', 'Opmerkingen', 'Bedrag', 'Ja/nee']);
      ws.addRow([
        'HA.55.L7.085320/2024',
        new Date(Date.UTC(2024, 2, 13)),
        486251262,
        { richText: [{ text: 'El ' }, { font: { bold: true }, text: 'Amrani' }] },
        { formula: 'CONCAT("a";"b")', result: 'ab' },
        0.1 + 0.2,
        true,
      ]);
      ws.getCell('B2').numFmt = 'dd/mm/yyyy';
      ws.addRow([]);
      ws.addRow([
        'HA.2',
        '13/03/2024',
        { formula: 'B2', result: 45364 },
        { text: 'Maes', hyperlink: 'mailto:x@example.be' },
        { error: '#N/A' },
        32494650708,
        null,
      ]);
      ws.getCell('C4').numFmt = 'd/m/yyyy';
      wb.addWorksheet('Notities').addRow(['niet lezen']);
    });
    const table = await open(bytes, 'export.csv', 500);
    expect(table).toMatchObject({ format: 'xlsx', encoding: null, delimiter: null });
    expect(table.headers).toEqual(['PV-nummer', 'Datum feiten', 'GSM', 'Naam', 'Opmerkingen', 'Bedrag', 'Ja/nee']);
    const rows = await readRows(table);
    expect(rows.map((r) => [r.rowNo, r.line, r.cells])).toEqual([
      [1, 2, ['HA.55.L7.085320/2024', '2024-03-13', '486251262', 'El Amrani', 'ab', '0.3', 'true']],
      [2, 4, ['HA.2', '13/03/2024', '2024-03-13', 'Maes', '', '32494650708', '']],
    ]);
  });

  it('refuses a workbook with a header only, duplicate headers or too many columns', async () => {
    expect((await tableError(open(await workbook((ws) => ws.addRow(['PV', 'Naam']))))).code).toBe('header_only');
    expect(
      (
        await tableError(
          open(
            await workbook((ws) =>
              ws.addRows([
                ['PV', 'pv'],
                [1, 2],
              ]),
            ),
          ),
        )
      ).code,
    ).toBe('duplicate_headers');
    const wide = await workbook((ws) => ws.addRows([Array.from({ length: 300 }, (_, i) => `k${i}`), [1]]));
    expect(await tableError(open(wide))).toMatchObject({ code: 'too_many_columns', params: { columns: 300, max: 200 } });
    expect((await tableError(open(await workbook(() => undefined)))).code).toBe('empty');
  });

  it('refuses a truncated or garbage ZIP as unreadable_xlsx', async () => {
    const bytes = await workbook((ws) => ws.addRows([['PV', 'Naam'], ...Array.from({ length: 2000 }, (_, i) => [`HA.${i}`, 'Maes'])]));
    for (const cut of [30, 2000, Math.floor(bytes.length / 2)]) {
      const error = await tableError(open(bytes.subarray(0, cut), 'export.xlsx').then(readRows));
      expect(error.code).toBe('unreadable_xlsx');
    }
    expect((await tableError(open(Uint8Array.from([0x50, 0x4b, 3, 4, ...new Array(300).fill(7)])))).code).toBe('unreadable_xlsx');
  });
});

describe('TableError', () => {
  it('keeps params out of the message (a header may be a name)', () => {
    const error = new TableError('duplicate_headers', { header: 'Maes', first: 1, second: 2 });
    expect(error.message).toBe('table: duplicate_headers');
    expect(error.params).toEqual({ header: 'Maes', first: 1, second: 2 });
  });
});
