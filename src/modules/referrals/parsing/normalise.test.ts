import fc from 'fast-check';
import { isValidPhoneNumber } from 'libphonenumber-js/max';
import { describe, expect, it } from 'vitest';
import { COLOURS, GENDERS, IMPORT_FIELDS, type ImportField, PERSON_ROLES, RELATIONS, SET_ASIDE_REASONS, WARNING_CODES } from '../fields.ts';
import { isCalendarDate } from './dates.ts';
import {
  ISO_639_1,
  normaliseBox,
  normaliseColour,
  normaliseDate,
  normaliseEmail,
  normaliseGender,
  normaliseLanguage,
  normaliseName,
  normalisePhone,
  normalisePostcode,
  normalisePvNumber,
  normaliseRelation,
  normaliseRemarks,
  normaliseRole,
  normaliseRow,
  normaliseText,
  normaliseYesNo,
} from './normalise.ts';

const today = '2025-01-01';

describe('normalisePhone', () => {
  it('turns every spelling of the exports into E.164 with Belgium as default', () => {
    const cases: [string, string][] = [
      ['0470 12 34 56', '+32470123456'],
      ['+32 470/12.34.56', '+32470123456'],
      ['+32 482/75.77.13', '+32482757713'],
      ['0032494650708', '+32494650708'],
      ['486251262', '+32486251262'],
      ['0470/592 817', '+32470592817'],
      ['011/285.205', '+3211285205'],
      ['089 33 43 46', '+3289334346'],
      ['+32 (0)470 12 34 56', '+32470123456'],
      ['0032 0470 12 34 56', '+32470123456'],
      ['+31 6 12345678', '+31612345678'],
      ['0033 6 12 34 56 78', '+33612345678'],
    ];
    for (const [raw, e164] of cases) expect(normalisePhone(raw), raw).toEqual({ value: e164 });
  });

  it('leaves unusable numbers empty with phone_unusable, and an empty cell without a warning', () => {
    for (const raw of ['onbekend', '0495 26 42', '04701234567', '12', '+999 123', 'x'.repeat(100)])
      expect(normalisePhone(raw), raw).toEqual({ warning: 'phone_unusable' });
    expect(normalisePhone('  ')).toEqual({});
  });
});

describe('normaliseDate', () => {
  it('reads the Belgian spellings into yyyy-mm-dd', () => {
    const cases: [string, string][] = [
      ['13/03/2024', '2024-03-13'],
      ['5/6/2023', '2023-06-05'],
      ['2023-06-08', '2023-06-08'],
      ['05.06.2023', '2023-06-05'],
      ['13-03-2024', '2024-03-13'],
      [' 13/03/2024 00:00:00 ', '2024-03-13'],
      ['2024-03-13T00:00:00.000Z', '2024-03-13'],
      ['29/02/2024', '2024-02-29'],
    ];
    for (const [raw, iso] of cases) expect(normaliseDate(raw, { today }), raw).toEqual({ value: iso });
  });

  it('says impossible for dates that do not exist or are out of range', () => {
    for (const raw of ['31/02/2024', '29/02/2023', '12/13/2024', '00/01/2024', '31/12/1899', '02/01/2025', '2030-01-01']) {
      expect(normaliseDate(raw, { today }), raw).toEqual({ warning: 'date_impossible' });
    }
    expect(normaliseDate('01/01/2025', { today })).toEqual({ value: '2025-01-01' });
  });

  it('says unreadable for two-digit years, mixed separators and text', () => {
    for (const raw of ['13/03/24', '13/03.2024', 'gisteren', '45366', '2024/3', '13 maart 2024'])
      expect(normaliseDate(raw, { today }), raw).toEqual({ warning: 'date_unreadable' });
    expect(normaliseDate('', { today })).toEqual({});
  });
});

describe('normaliseName', () => {
  it('trims, collapses spaces and recases names written in capitals or lower case', () => {
    expect(normaliseName('  EL AMRANI ', 'last')).toEqual({ value: 'El Amrani' });
    expect(normaliseName('VAN DEN BROECK', 'last')).toEqual({ value: 'Van den Broeck' });
    expect(normaliseName('DE LA FONTAINE', 'last')).toEqual({ value: 'De la Fontaine' });
    expect(normaliseName("O'BRIEN", 'last')).toEqual({ value: "O'Brien" });
    expect(normaliseName("  D'HONDT ", 'last')).toEqual({ value: "D'Hondt" });
    expect(normaliseName('  DUPONT-LEFÈVRE ', 'last')).toEqual({ value: 'Dupont-Lefèvre' });
    expect(normaliseName('ÖZDEMIR', 'last')).toEqual({ value: 'Özdemir' });
    expect(normaliseName('JEAN-LUC')).toEqual({ value: 'Jean-Luc' });
    expect(normaliseName('jean   luc')).toEqual({ value: 'Jean Luc' });
  });

  it('keeps a name that already mixes cases as written', () => {
    expect(normaliseName('Van Gompel', 'last')).toEqual({ value: 'Van Gompel' });
    expect(normaliseName('van den Broeck', 'last')).toEqual({ value: 'van den Broeck' });
    expect(normaliseName('McAllister', 'last')).toEqual({ value: 'McAllister' });
    expect(normaliseName('Yılmaz', 'last')).toEqual({ value: 'Yılmaz' });
    expect(normaliseName(' \t ')).toEqual({});
  });
});

describe('normaliseLanguage', () => {
  it('maps codes and names in four languages to ISO 639-1', () => {
    const cases: [string, string][] = [
      ['NL', 'nl'],
      ['nederlands', 'nl'],
      ['Néerlandais', 'nl'],
      ['Dutch', 'nl'],
      ['Vlaams', 'nl'],
      ['Turks', 'tr'],
      ['turc', 'tr'],
      ['Turkish', 'tr'],
      ['TR', 'tr'],
      ['Arabisch', 'ar'],
      ['arabe', 'ar'],
      ['EN', 'en'],
      ['FR', 'fr'],
      ['Deutsch', 'de'],
      ['ES', 'es'],
      ['Italiaans', 'it'],
      ['PL', 'pl'],
      ['Roemeens', 'ro'],
      ['RU', 'ru'],
      ['UK', 'uk'],
      ['Bulgaars', 'bg'],
      ['SQ', 'sq'],
      ['Portugais', 'pt'],
      ['Farsi', 'fa'],
      ['NL/FR', 'nl'],
      ['Frans en Engels', 'fr'],
    ];
    for (const [raw, code] of cases) expect(normaliseLanguage(raw), raw).toEqual({ value: code });
  });

  it('leaves an unknown language empty with language_unknown', () => {
    for (const raw of ['Klingon', 'XX', 'onbekend', '?']) expect(normaliseLanguage(raw), raw).toEqual({ warning: 'language_unknown' });
    expect(normaliseLanguage('')).toEqual({});
  });
});

describe('coded fields', () => {
  it('relation', () => {
    const cases: [string, string][] = [
      ['Partner', 'partner'],
      ['Partenaire', 'partner'],
      ['Ex-partner', 'ex_partner'],
      ['Ex-partenaire', 'ex_partner'],
      ['Ouder-kind', 'parent_child'],
      ['Parent-enfant', 'parent_child'],
      ['Kind-ouder', 'child_parent'],
      ['Enfant-parent', 'child_parent'],
      ['Ouderenmis(be)handeling', 'elder_abuse'],
      ['Maltraitance des aînés', 'elder_abuse'],
      ['Broer-zus', 'siblings'],
      ['Frère-sœur', 'siblings'],
      ['Fratrie', 'siblings'],
      ['Andere', 'other'],
      ['Autre', 'other'],
    ];
    for (const [raw, value] of cases) expect(normaliseRelation(raw), raw).toEqual({ value });
    expect(normaliseRelation('Buren')).toEqual({ warning: 'relation_unknown' });
  });

  it('yes/no', () => {
    for (const raw of ['Ja', 'ja', 'JA', 'Oui', 'yes', '1', 'TRUE']) expect(normaliseYesNo(raw), raw).toEqual({ value: true });
    for (const raw of ['nee', 'NEE', 'non', 'no', '0', 'neen']) expect(normaliseYesNo(raw), raw).toEqual({ value: false });
    expect(normaliseYesNo('onbekend')).toEqual({ warning: 'minors_unknown' });
    expect(normaliseYesNo('')).toEqual({});
  });

  it('colour, without a warning when unknown (the row is set aside instead)', () => {
    for (const raw of ['Groen', 'Vert', 'green', 'G', ' groen ']) expect(normaliseColour(raw), raw).toEqual({ value: 'green' });
    for (const raw of ['Oranje', 'Orange', 'ORANJE']) expect(normaliseColour(raw), raw).toEqual({ value: 'orange' });
    for (const raw of ['Rood', 'Rouge', 'red']) expect(normaliseColour(raw), raw).toEqual({ value: 'red' });
    expect(normaliseColour('Paars')).toEqual({});
  });

  it('gender and role', () => {
    expect([normaliseGender('V'), normaliseGender('F'), normaliseGender('M'), normaliseGender('X'), normaliseGender('?')]).toEqual([
      { value: 'f' },
      { value: 'f' },
      { value: 'm' },
      { value: 'x' },
      { warning: 'gender_unknown' },
    ]);
    for (const [raw, value] of [
      ['Slachtoffer', 'victim'],
      ['Victime', 'victim'],
      ['Verdachte', 'suspect'],
      ['Suspect', 'suspect'],
      ['Auteur', 'suspect'],
      ['Betrokkene', 'involved'],
      ['Impliqué', 'involved'],
      ['impliquee', 'involved'],
    ]) {
      expect(normaliseRole(raw as string), raw).toEqual({ value });
    }
    expect(normaliseRole('Getuige')).toEqual({ warning: 'role_unknown' });
  });
});

describe('simple fields', () => {
  it('email: sane check, lower-cased domain, local part kept', () => {
    expect(normaliseEmail(' Karim.Maes46@Example.BE ')).toEqual({ value: 'Karim.Maes46@example.be' });
    expect(normaliseEmail("emre.d'hondt34@example.be")).toEqual({ value: "emre.d'hondt34@example.be" });
    expect(normaliseEmail('ayşe.rossi72@example.be')).toEqual({ value: 'ayşe.rossi72@example.be' });
    expect(normaliseEmail('mailto:an@example.be')).toEqual({ value: 'an@example.be' });
    for (const raw of ['geen', 'a@b', 'a@@b.be', 'a b@c.be', '@c.be', 'a@-c.be', 'a..b@c.be', 'a@c.b3'])
      expect(normaliseEmail(raw), raw).toEqual({ warning: 'email_invalid' });
  });

  it('postcode: four digits from 1000 to 9999', () => {
    expect(normalisePostcode(' 3600 ')).toEqual({ value: '3600' });
    expect(normalisePostcode('B-3600')).toEqual({ value: '3600' });
    for (const raw of ['0999', '360', '36000', 'Genk']) expect(normalisePostcode(raw), raw).toEqual({ warning: 'postcode_invalid' });
  });

  it('PV numbers, boxes, text and remarks', () => {
    expect(normalisePvNumber(' ha.55.l7.085320 /2024 ')).toEqual({ value: 'HA.55.L7.085320/2024' });
    expect(normaliseBox('b4')).toEqual({ value: '4' });
    expect(normaliseBox('Bte 12')).toEqual({ value: '12' });
    expect(normaliseBox('A')).toEqual({ value: 'A' });
    expect(normaliseText('  Weg   naar As ')).toEqual({ value: 'Weg naar As' });
    expect(normaliseRemarks(' Regel 1  \r\nRegel 2 ')).toEqual({ value: 'Regel 1\nRegel 2' });
    expect(normaliseRemarks('=HYPERLINK("x")')).toEqual({ value: '=HYPERLINK("x")' });
  });
});

describe('normaliseRow', () => {
  const person = { pv_number: 'HA.1', colour: 'Groen', last_name: 'Maes', first_name: 'An' };

  it('sets aside rows without PV, colour or name, and orange and red rows, still normalised', () => {
    expect(normaliseRow(person, { today }).setAside).toBeUndefined();
    expect(normaliseRow({ ...person, pv_number: '  ' }, { today }).setAside).toBe('no_pv_number');
    expect(normaliseRow({ ...person, colour: '' }, { today }).setAside).toBe('no_colour');
    expect(normaliseRow({ ...person, colour: 'Paars' }, { today }).setAside).toBe('no_colour');
    expect(normaliseRow({ ...person, last_name: '', first_name: ' ' }, { today }).setAside).toBe('no_name');
    expect(normaliseRow({ ...person, last_name: '' }, { today }).setAside).toBeUndefined();
    const orange = normaliseRow({ ...person, colour: 'Oranje', mobile: '0470 12 34 56' }, { today });
    expect(orange).toMatchObject({ setAside: 'orange', row: { colour: 'orange', mobile: '+32470123456', last_name: 'Maes' } });
    // Orange and red mean a complete row: an incomplete one gives what is missing, colour kept.
    expect(normaliseRow({ ...person, colour: 'Rood', pv_number: '' }, { today })).toMatchObject({ setAside: 'no_pv_number', row: { colour: 'red' } });
    expect(normaliseRow({ ...person, colour: 'Oranje', last_name: '', first_name: '' }, { today }).setAside).toBe('no_name');
  });

  it('lists one warning per unusable field', () => {
    const r = normaliseRow({ ...person, mobile: 'onbekend', birth_date: '31/02/1980', language: 'Klingon', email: 'geen' }, { today });
    expect(r.warnings).toEqual([
      { field: 'birth_date', code: 'date_impossible' },
      { field: 'mobile', code: 'phone_unusable' },
      { field: 'email', code: 'email_invalid' },
      { field: 'language', code: 'language_unknown' },
    ]);
    expect(r.row).toEqual({ pv_number: 'HA.1', colour: 'green', last_name: 'Maes', first_name: 'An' });
  });
});

describe('normalisers under fire (fast-check)', () => {
  const anyString = fc.oneof(
    fc.string({ unit: 'binary', maxLength: 60 }),
    fc.string({ unit: fc.constantFrom(...'0123456789 +/.-()'), maxLength: 20 }),
    fc.string({ unit: fc.constantFrom(...'0123456789/.-T: '), maxLength: 20 }),
  );
  const ISO = /^\d{4}-\d{2}-\d{2}$/;

  it('never throw, and return only valid values', () => {
    fc.assert(
      fc.property(anyString, (s) => {
        const phone = normalisePhone(s);
        if (phone.value !== undefined) {
          expect(phone.value).toMatch(/^\+[1-9]\d{6,14}$/);
          expect(isValidPhoneNumber(phone.value)).toBe(true);
        }
        const date = normaliseDate(s, { today });
        if (date.value !== undefined) {
          expect(date.value).toMatch(ISO);
          expect(isCalendarDate(date.value)).toBe(true);
          expect(date.value >= '1900-01-01' && date.value <= today).toBe(true);
        }
        const language = normaliseLanguage(s);
        if (language.value !== undefined) expect(ISO_639_1.has(language.value)).toBe(true);
        const relation = normaliseRelation(s).value;
        if (relation !== undefined) expect(RELATIONS).toContain(relation);
        const colour = normaliseColour(s).value;
        if (colour !== undefined) expect(COLOURS).toContain(colour);
        const gender = normaliseGender(s).value;
        if (gender !== undefined) expect(GENDERS).toContain(gender);
        const role = normaliseRole(s).value;
        if (role !== undefined) expect(PERSON_ROLES).toContain(role);
        const postcode = normalisePostcode(s).value;
        if (postcode !== undefined) expect(Number(postcode)).toBeGreaterThanOrEqual(1000);
        const email = normaliseEmail(s).value;
        if (email !== undefined) expect(email).toMatch(/^[^\s@]+@[^\s@A-Z]+\.[^\s@]+$/u);
        for (const name of [normaliseName(s, 'last').value, normaliseName(s).value, normaliseText(s).value]) {
          if (name !== undefined) expect(name === name.trim() && name !== '' && !/\s{2}/.test(name)).toBe(true);
        }
        const pv = normalisePvNumber(s).value;
        if (pv !== undefined) expect(pv).not.toMatch(/\s/);
        for (const r of [normaliseYesNo(s), normaliseRemarks(s), normaliseBox(s)]) expect(r.value === undefined || r.warning === undefined).toBe(true);
      }),
      { numRuns: 2000 },
    );
  });

  it('normaliseRow never throws, on any record, and its codes are the closed lists', () => {
    const record = fc.dictionary(fc.constantFrom(...IMPORT_FIELDS), anyString) as fc.Arbitrary<Partial<Record<ImportField, string>>>;
    fc.assert(
      fc.property(record, (r) => {
        const result = normaliseRow(r, { today });
        for (const w of result.warnings) {
          expect(WARNING_CODES).toContain(w.code);
          expect(IMPORT_FIELDS).toContain(w.field);
          expect(result.row[w.field as keyof typeof result.row]).toBeUndefined();
        }
        if (result.setAside !== undefined) expect(SET_ASIDE_REASONS).toContain(result.setAside);
        else expect(result.row.pv_number && result.row.colour === 'green' && (result.row.last_name || result.row.first_name)).toBeTruthy();
      }),
      { numRuns: 1000 },
    );
  });
});
