import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createDecoder } from './decode.ts';
import { detectContainer, detectDelimiter, detectEncoding, looksBinary } from './sniff.ts';

const utf8 = (s: string) => new TextEncoder().encode(s);
/** Latin-1 bytes, which are Windows-1252 bytes for these letters. */
const latin1 = (s: string) => Uint8Array.from([...s].map((c) => c.charCodeAt(0)));

describe('detectEncoding', () => {
  it('takes a byte-order mark, valid UTF-8 and plain ASCII for UTF-8', () => {
    expect(detectEncoding(Uint8Array.from([0xef, 0xbb, 0xbf, 0x41]))).toBe('utf-8');
    expect(detectEncoding(utf8('Boîte;François;Ayşe'))).toBe('utf-8');
    expect(detectEncoding(utf8('PV;Naam'))).toBe('utf-8');
    expect(detectEncoding(new Uint8Array(0))).toBe('utf-8');
  });

  it('falls back to Windows-1252 for bytes that are not UTF-8', () => {
    expect(detectEncoding(latin1('Bo\xEEte;Fran\xE7ois'))).toBe('windows-1252');
    expect(detectEncoding(Uint8Array.from([0x41, 0x80, 0x42]))).toBe('windows-1252'); // a lone € byte
  });

  it('does not hold a multi-byte character cut by the end of the head against the file', () => {
    const bytes = utf8('Naam;Lefèvre;Ayş'); // ş is 2 bytes, è is 2 bytes
    for (const cut of [bytes.length - 1, bytes.length - 4]) expect(detectEncoding(bytes.subarray(0, cut))).toBe('utf-8');
    const euro = utf8('prijs €'); // € is 3 bytes: cut after 1 and after 2
    expect(detectEncoding(euro.subarray(0, euro.length - 1))).toBe('utf-8');
    expect(detectEncoding(euro.subarray(0, euro.length - 2))).toBe('utf-8');
  });

  it('never throws, and answers UTF-8 for any valid UTF-8 text cut anywhere', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 200 }), fc.nat(), (s, at) => {
        const bytes = utf8(s);
        expect(detectEncoding(bytes.subarray(0, at % (bytes.length + 1)))).toBe('utf-8');
      }),
    );
    fc.assert(fc.property(fc.uint8Array({ maxLength: 300 }), (bytes) => ['utf-8', 'windows-1252'].includes(detectEncoding(bytes))));
  });
});

describe('the UTF-8 decoder with Windows-1252 fallback', () => {
  it('decodes valid UTF-8 exactly, whatever the chunking', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 200 }), fc.array(fc.nat(), { maxLength: 6 }), (s, cuts) => {
        const bytes = utf8(s);
        const points = [...new Set(cuts.map((c) => c % (bytes.length + 1)))].sort((a, b) => a - b);
        const decoder = createDecoder('utf-8');
        let out = '';
        let from = 0;
        for (const p of [...points, bytes.length]) {
          out += decoder.write(bytes.subarray(from, p));
          from = p;
        }
        out += decoder.end();
        // A leading U+FEFF is taken for a byte-order mark.
        expect(out).toBe(s.startsWith('\uFEFF') ? s.slice(1) : s);
      }),
    );
  });

  it('reads stray Windows-1252 bytes as Windows-1252 instead of U+FFFD', () => {
    const decoder = createDecoder('utf-8');
    const text = decoder.write(Uint8Array.from([...utf8('Lefèvre;Fran'), 0xe7, ...utf8('ois;Bo'), 0xee, ...utf8('te;'), 0x80])) + decoder.end();
    expect(text).toBe('Lefèvre;François;Boîte;€');
  });

  it('reads Windows-1252 text', () => {
    const decoder = createDecoder('windows-1252');
    expect(decoder.write(latin1('Bo\xEEte;Fran')) + decoder.write(latin1('\xE7ois')) + decoder.end()).toBe('Boîte;François');
  });
});

describe('detectContainer and looksBinary', () => {
  it('recognises ZIP (XLSX) and OLE2 (XLS) by their magic bytes', () => {
    expect(detectContainer(Uint8Array.from([0x50, 0x4b, 0x03, 0x04, 0x14]))).toBe('xlsx');
    expect(detectContainer(Uint8Array.from([0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1, 0]))).toBe('xls');
    expect(detectContainer(utf8('PV;Naam'))).toBe('text');
  });

  it('takes NUL bytes or many control characters for binary, text with tabs and CRLF for text', () => {
    const png = Uint8Array.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 0x0d, 0x49, 0x48, 0x44, 0x52]);
    expect(looksBinary(png)).toBe(true);
    expect(looksBinary(Uint8Array.from([0xff, 0xfe, 0x50, 0x00, 0x56, 0x00]))).toBe(true); // UTF-16LE
    expect(looksBinary(utf8('a\x01b\x02c\x03d\x04e\x05'))).toBe(true);
    expect(looksBinary(utf8('PV\tNaam\r\nHA.1\tMaes\r\n'))).toBe(false);
    expect(looksBinary(latin1('Fran\xE7ois \x80 \x9C'))).toBe(false);
  });
});

describe('detectDelimiter', () => {
  const found = (text: string, complete = true) => detectDelimiter(text, complete);

  it('finds each candidate delimiter', () => {
    expect(found('a;b;c\n1;2;3\n')).toEqual({ kind: 'found', delimiter: ';' });
    expect(found('a,b,c\n1,2,3\n')).toEqual({ kind: 'found', delimiter: ',' });
    expect(found('a\tb\tc\n1\t2\t3\n')).toEqual({ kind: 'found', delimiter: '\t' });
    expect(found('a|b|c\n1|2|3\n')).toEqual({ kind: 'found', delimiter: '|' });
  });

  it('ignores delimiters inside quotes, quoted line breaks included', () => {
    expect(found('a;b;c\n"x,y,z";"1,5";2\n"p\nq,r";s;t\n')).toEqual({ kind: 'found', delimiter: ';' });
    expect(found('Naam,Opmerking\nMaes,"Tekst; met; puntkomma\'s"\n')).toEqual({ kind: 'found', delimiter: ',' });
  });

  it('prefers the delimiter whose count matches the header on most rows', () => {
    // Commas in unquoted remarks do not make a comma file.
    expect(found('PV;Naam;Opmerking\n1;Maes;geld, ruzie, buren\n2;Peeters;geen\n')).toEqual({ kind: 'found', delimiter: ';' });
  });

  it('is not fooled by ragged rows', () => {
    expect(found('a;b;c;d\n1;2\n1;2;3;4;5\n1;2;3;4\n')).toEqual({ kind: 'found', delimiter: ';' });
  });

  it('refuses lines written with another delimiter, naming the first such line', () => {
    expect(found('a;b;c\n1;2;3\n4,5,6\n')).toEqual({ kind: 'mixed', delimiter: ';', other: ',', line: 3 });
    expect(found('a,b,c\n1;2;3\n4;5;6\n')).toMatchObject({ kind: 'mixed', delimiter: ',', other: ';', line: 2 });
  });

  it('drops a record cut by the end of an incomplete head', () => {
    expect(found('a;b;c\n1;2;3\n4,', false)).toEqual({ kind: 'found', delimiter: ';' });
  });

  it('reads a one-column file with any delimiter', () => {
    expect(found('Naam\nMaes\n')).toEqual({ kind: 'found', delimiter: ';' });
  });
});
