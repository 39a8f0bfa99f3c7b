import { describe, expect, it } from 'vitest';
import { IMPORT_FIELDS } from '../fields.ts';
import { checkMapping, compileMapping, fieldForHeader, MappingError, suggestMapping } from './headers.ts';
import { fixture } from './testing.ts';

/** The header lines of the two real samples. */
const header = (name: string, delimiter: string) => (new TextDecoder().decode(fixture(name)).split(/\r?\n/)[0] as string).split(delimiter);
const CARMA = header('police-export-carma.csv', ';');
const NAMUR = header('police-export-namur-fr.csv', ',');

describe('suggestMapping', () => {
  it('maps every header of the Dutch and French samples to its field, in order', () => {
    for (const headers of [CARMA, NAMUR]) {
      const s = suggestMapping(headers);
      expect(s.unknownHeaders).toEqual([]);
      expect(s.missingRequired).toEqual([]);
      expect(IMPORT_FIELDS.map((f) => s.mapping[f])).toEqual(headers);
    }
  });

  it('ignores case, accents, spaces and punctuation, and knows English and German spellings', () => {
    expect(fieldForHeader('  DATE D ENREGISTREMENT ')).toBe('registration_date');
    expect(fieldForHeader('date-d’enregistrement')).toBe('registration_date');
    expect(fieldForHeader('numero pv')).toBe('pv_number');
    expect(fieldForHeader('Mineurs presents')).toBe('minors_present');
    expect(fieldForHeader('Date of birth')).toBe('birth_date');
    expect(fieldForHeader('Mobile phone')).toBe('mobile');
    expect(fieldForHeader('Vorname')).toBe('first_name');
    expect(fieldForHeader('Numéro')).toBe('house_number');
    expect(fieldForHeader('Huidskleur')).toBeUndefined();
  });

  it('reports unknown headers, a second column for a field, and missing required fields', () => {
    const s = suggestMapping(['PV', 'Achternaam', 'Naam', 'Schoenmaat', '', 'GSM']);
    expect(s.mapping).toEqual({ pv_number: 'PV', last_name: 'Achternaam', mobile: 'GSM' });
    expect(s.unknownHeaders).toEqual(['Naam', 'Schoenmaat']);
    expect(s.missingRequired).toEqual(['colour', 'first_name']);
  });
});

describe('checkMapping', () => {
  const base = { pv_number: 'PV', colour: 'Kleur', last_name: 'Naam', first_name: 'Voornaam' };
  const headers = ['PV', 'Kleur', 'Naam', 'Voornaam', 'GSM'];

  it('accepts a complete mapping, and headers spelled differently in the file', () => {
    expect(checkMapping(headers, base)).toEqual([]);
    expect(checkMapping(['pv', 'KLEUR', 'naam ', 'Voornaam'], base)).toEqual([]);
  });

  it('names the field of each problem', () => {
    expect(checkMapping(headers, { ...base, mobile: 'Gsm-nummer' })).toEqual([{ code: 'header_absent', field: 'mobile', header: 'Gsm-nummer' }]);
    expect(checkMapping(headers, { pv_number: 'PV', colour: 'Kleur', last_name: 'Naam' })).toEqual([{ code: 'required_unmapped', field: 'first_name' }]);
    expect(checkMapping(headers, { ...base, phone: 'GSM', mobile: 'GSM' })).toEqual([
      { code: 'header_mapped_twice', field: 'mobile', header: 'GSM', otherField: 'phone' },
    ]);
    expect(checkMapping(headers, { ...base, shoe_size: 'GSM' } as never)).toEqual([{ code: 'unknown_field', field: 'shoe_size' }]);
  });
});

describe('compileMapping', () => {
  it('projects cells to raw field values', () => {
    const project = compileMapping(['PV', 'Naam', 'Voornaam', 'Kleur', 'GSM'], {
      pv_number: 'PV',
      last_name: 'naam',
      first_name: 'Voornaam',
      colour: 'Kleur',
      mobile: 'GSM',
    });
    expect(project(['HA.1', '  MAES ', 'An', 'Groen', ''])).toEqual({ pv_number: 'HA.1', last_name: '  MAES ', first_name: 'An', colour: 'Groen', mobile: '' });
  });

  it('refuses a mapping with problems rather than read a field from nowhere', () => {
    expect(() => compileMapping(['PV'], { pv_number: 'PV', colour: 'Kleur' })).toThrow(MappingError);
  });
});
