import { describe, expect, it } from 'vitest';
import type { FieldWarning, NormalisedRow, SetAsideReason } from '../fields.ts';
import { compileMapping, suggestMapping } from './headers.ts';
import { normaliseRow } from './normalise.ts';
import { openTable } from './table.ts';
import { chunked, fixture } from './testing.ts';

interface Outcome {
  rowNo: number;
  line: number;
  row: NormalisedRow;
  warnings: FieldWarning[];
  setAside?: SetAsideReason;
}

/** The whole path the importer takes: open, suggest a mapping, compile it, normalise each row. */
async function importSample(name: string): Promise<Outcome[]> {
  const table = await openTable(chunked(fixture(name), 777), { fileName: name });
  const suggestion = suggestMapping(table.headers);
  expect(suggestion.missingRequired).toEqual([]);
  const project = compileMapping(table.headers, suggestion.mapping);
  const out: Outcome[] = [];
  for await (const r of table.rows) out.push({ rowNo: r.rowNo, line: r.line, ...normaliseRow(project(r.cells), { today: '2025-01-01' }) });
  return out;
}

const tally = (outcomes: Outcome[]) => {
  const warnings: Record<string, number> = {};
  const setAside: Record<string, number[]> = {};
  for (const o of outcomes) {
    for (const w of o.warnings) warnings[`${w.field}:${w.code}`] = (warnings[`${w.field}:${w.code}`] ?? 0) + 1;
    if (o.setAside) setAside[o.setAside] = [...(setAside[o.setAside] ?? []), o.rowNo];
  }
  return { warnings, setAside };
};

describe('the Carma sample, imported end to end', async () => {
  const rows = await importSample('police-export-carma.csv');
  const at = (rowNo: number) => rows[rowNo - 1] as Outcome;

  it('reads 280 rows, with exactly the warnings and set-asides the file deserves', () => {
    expect(rows).toHaveLength(280);
    expect(tally(rows)).toEqual({
      // 8 × "onbekend", 7 numbers with two digits missing ("0495 26 42").
      warnings: { 'mobile:phone_unusable': 15, 'facts_date:date_impossible': 1 },
      setAside: { no_pv_number: [31], orange: [59, 60, 246, 247, 259, 260] },
    });
  });

  it('normalises the first row completely', () => {
    expect(at(1)).toEqual({
      rowNo: 1,
      line: 2,
      warnings: [],
      row: {
        pv_number: 'HA.55.L7.085320/2024',
        facts_date: '2024-03-13',
        registration_date: '2024-03-14',
        police_zone: 'CARMA',
        municipality: 'Genk',
        postcode: '3600',
        street: 'Winterslag',
        house_number: '25',
        last_name: 'Maes',
        first_name: 'Fatima',
        birth_date: '1948-09-14',
        gender: 'f',
        role: 'victim',
        mobile: '+32486251262', // "486251262": the leading 0 lost by a spreadsheet
        phone: '+3211285205', // "011/285.205"
        language: 'en',
        relation: 'partner',
        minors_present: true,
        colour: 'green',
        remarks: 'Discussie over geld',
      },
    });
  });

  it('cleans the mess of particular rows', () => {
    expect(at(2).row).toMatchObject({ mobile: '+32494650708', language: 'tr', role: 'suspect', gender: 'm' }); // 0032…
    expect(at(3).row).toMatchObject({
      facts_date: '2023-06-05',
      registration_date: '2023-06-08',
      last_name: 'Özdemir',
      relation: 'parent_child',
      minors_present: false,
    });
    expect(at(4).row).toMatchObject({
      facts_date: '2023-06-05',
      birth_date: '1961-09-09',
      phone: '+3289334346',
      email: 'karim.maes46@example.be',
      language: 'ar',
    }); // 05.06.2023, 1961-09-09
    expect(at(5).row).toMatchObject({
      last_name: 'El Amrani',
      minors_present: false,
      relation: 'ex_partner',
      remarks: 'Spanning na scheiding; kinderen sliepen',
    }); // "  EL AMRANI ", "NEE"
    expect(at(7).row).toMatchObject({ language: 'tr', mobile: '+32471337865' }); // "Turks"
    expect(at(8).row).toMatchObject({ facts_date: '2023-06-25', birth_date: '1950-02-13', mobile: '+32472278261' }); // 25/6/2023, 13/2/1950, "0472 27 82 61"
    expect(at(14)).toMatchObject({ line: 15, row: { remarks: 'Regel 1\nRegel 2 met "aanhalingstekens"' } });
    expect(at(33).row).toMatchObject({ mobile: '+32480728540' }); // "+32 480/72.85.40"
    expect(at(36).row).toMatchObject({ relation: 'elder_abuse', mobile: '+32473143095' }); // "Ouderenmis(be)handeling", "0473/143 095"
    expect(at(40).row.remarks).toBe('=HYPERLINK("http://example.invalid","klik")'); // kept: output neutralises
    expect(at(97).row.relation).toBe('other'); // "Andere"
  });

  it('explains the problems of particular rows', () => {
    expect(at(31)).toMatchObject({ setAside: 'no_pv_number', row: { last_name: "D'Hondt", first_name: 'Fatima', colour: 'green' } });
    expect(at(59)).toMatchObject({ setAside: 'orange', row: { colour: 'orange', pv_number: 'HA.55.L7.027824/2023', mobile: '+32487802064' } });
    expect(at(71)).toMatchObject({ warnings: [{ field: 'facts_date', code: 'date_impossible' }] }); // 31/02/2024
    expect(at(71).row.facts_date).toBeUndefined();
    expect(at(76)).toMatchObject({ warnings: [{ field: 'mobile', code: 'phone_unusable' }], row: { last_name: 'Çelik' } }); // "onbekend"
    expect(at(155).warnings).toEqual([{ field: 'mobile', code: 'phone_unusable' }]); // "0494 13 04"
  });
});

describe('the Namur sample, imported end to end', async () => {
  const rows = await importSample('police-export-namur-fr.csv');
  const at = (rowNo: number) => rows[rowNo - 1] as Outcome;

  it('reads 122 rows, with exactly the warnings and set-asides the file deserves', () => {
    expect(rows).toHaveLength(122);
    expect(tally(rows)).toEqual({
      warnings: { 'mobile:phone_unusable': 11, 'facts_date:date_impossible': 1 },
      setAside: { no_pv_number: [8], orange: [95, 96, 97, 98] },
    });
  });

  it('reads French spellings', () => {
    expect(at(1).row).toMatchObject({
      last_name: 'Van den Broeck',
      first_name: 'Ayşe',
      gender: 'f',
      role: 'victim',
      relation: 'partner',
      minors_present: false,
      colour: 'green',
    });
    expect(at(5).row).toMatchObject({ role: 'involved', box: '4', facts_date: '2024-07-16' }); // "Impliqué", "b4", 2024-07-16
    expect(at(7).row).toMatchObject({ relation: 'siblings', minors_present: true }); // "Frère-sœur", "oui"
    expect(at(8)).toMatchObject({ setAside: 'no_pv_number' });
    expect(at(14).row.remarks).toBe('<script>alert(1)</script>'); // text stays text; the web escapes it
    expect(at(95)).toMatchObject({ setAside: 'orange', row: { colour: 'orange' } }); // "Orange"
    const elder = rows.filter((o) => o.row.relation === 'elder_abuse');
    expect(elder.length).toBe(9); // "Maltraitance des aînés"
    expect(rows.filter((o) => o.row.last_name === 'Özdemir').length).toBeGreaterThan(0); // "  ÖZDEMIR "
  });
});
