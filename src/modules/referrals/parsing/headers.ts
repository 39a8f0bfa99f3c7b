/**
 * Column mappings: which column of an export holds which field. Haven suggests one from the
 * headers (a dictionary of the spellings police zones use, in Dutch, French, English and German);
 * the coordinator confirms or corrects it; it is checked, then compiled into a row projector.
 *
 * Headers are compared by `foldKey` (case, accents, spaces and punctuation ignored), so a mapping
 * saved for `Date d'enregistrement` also fits `DATE D ENREGISTREMENT` in next month's file.
 */

import { type ColumnMapping, IMPORT_FIELDS, type ImportField, REQUIRED_FIELDS } from '../fields.ts';
import { foldKey } from './text.ts';

/** Known spellings per field. Each is folded before use; order does not matter. */
export const HEADER_SPELLINGS: Record<ImportField, readonly string[]> = {
  pv_number: [
    'PV-nummer',
    'PV nummer',
    'PV-nr',
    'PV',
    'Nummer PV',
    'Notitienummer',
    'Proces-verbaal',
    'Numéro PV',
    'Numéro de PV',
    'N° PV',
    'No PV',
    'PV number',
    'Police report number',
    'Report number',
    'PV-Nummer',
    'Protokollnummer',
  ],
  facts_date: [
    'Datum feiten',
    'Datum van de feiten',
    'Feitendatum',
    'Datum incident',
    'Date des faits',
    'Date faits',
    "Date de l'incident",
    'Facts date',
    'Date of facts',
    'Incident date',
    'Tatdatum',
    'Datum der Tat',
  ],
  registration_date: [
    'Datum registratie',
    'Registratiedatum',
    'Datum opmaak',
    "Date d'enregistrement",
    'Date enregistrement',
    'Date de rédaction',
    'Registration date',
    'Date registered',
    'Registrierungsdatum',
  ],
  police_zone: ['Politiezone', 'Zone', 'PZ', 'Zone de police', 'ZP', 'Police zone', 'Polizeizone'],
  municipality: ['Gemeente', 'Stad', 'Woonplaats', 'Plaats', 'Commune', 'Localité', 'Ville', 'Municipality', 'City', 'Town', 'Gemeinde', 'Ort'],
  postcode: ['Postcode', 'Postnummer', 'Code postal', 'CP', 'Postal code', 'Zip', 'Zip code', 'Postleitzahl', 'PLZ'],
  street: ['Straat', 'Straatnaam', 'Rue', 'Street', 'Straße', 'Strasse'],
  house_number: ['Huisnr', 'Huisnummer', 'Nr', 'Nummer', 'Numéro', 'N°', 'No', 'House number', 'Number', 'Hausnummer'],
  box: ['Bus', 'Busnummer', 'Boîte', 'Bte', 'Box', 'Boîte postale', 'Briefkasten'],
  last_name: ['Naam', 'Achternaam', 'Familienaam', 'Nom', 'Nom de famille', 'Last name', 'Surname', 'Family name', 'Name', 'Nachname', 'Familienname'],
  first_name: ['Voornaam', 'Prénom', 'First name', 'Given name', 'Forename', 'Vorname'],
  birth_date: ['Geboortedatum', 'Geb. datum', 'Geboren', 'Date de naissance', 'Né le', 'Née le', 'Birth date', 'Date of birth', 'DOB', 'Geburtsdatum'],
  gender: ['Geslacht', 'Sexe', 'Genre', 'Gender', 'Sex', 'Geschlecht'],
  role: ['Hoedanigheid', 'Rol', 'Qualité', 'Rôle', 'Role', 'Capacity', 'Eigenschaft', 'Rolle'],
  mobile: [
    'GSM',
    'GSM-nummer',
    'Mobiel',
    'Mobiel nummer',
    'Gsm nr',
    'Portable',
    'Téléphone portable',
    'Mobile',
    'Mobile phone',
    'Cell phone',
    'Handy',
    'Mobiltelefon',
  ],
  phone: ['Telefoon', 'Telefoonnummer', 'Tel', 'Vaste lijn', 'Téléphone', 'Tél', 'Téléphone fixe', 'Phone', 'Telephone', 'Landline', 'Telefon'],
  email: ['E-mail', 'Email', 'E-mailadres', 'Mail', 'Courriel', 'Adresse e-mail', 'Email address', 'E-Mail-Adresse'],
  language: ['Taal', 'Voertaal', 'Gesproken taal', 'Langue', 'Langue parlée', 'Language', 'Spoken language', 'Sprache'],
  relation: ['Relatie', 'Verwantschap', 'Band', 'Type relatie', 'Relation', 'Lien', 'Type de relation', 'Relationship', 'Beziehung'],
  minors_present: [
    'Minderjarigen aanwezig',
    'Kinderen aanwezig',
    'Minderjarigen',
    'Mineurs présents',
    'Enfants présents',
    'Mineurs',
    'Minors present',
    'Children present',
    'Minderjährige anwesend',
    'Kinder anwesend',
  ],
  colour: ['Kleurcode', 'Kleur', 'Code couleur', 'Couleur', 'Colour code', 'Color code', 'Colour', 'Color', 'Farbcode', 'Farbe'],
  remarks: ['Opmerkingen', 'Opmerking', 'Commentaar', 'Remarques', 'Remarque', 'Commentaire', 'Observations', 'Remarks', 'Comments', 'Notes', 'Bemerkungen'],
};

const DICTIONARY: ReadonlyMap<string, ImportField> = (() => {
  const map = new Map<string, ImportField>();
  for (const field of IMPORT_FIELDS) {
    for (const spelling of HEADER_SPELLINGS[field]) {
      const key = foldKey(spelling);
      const known = map.get(key);
      if (known && known !== field) throw new Error(`header spelling "${spelling}" claimed by ${known} and ${field}`);
      map.set(key, field);
    }
  }
  return map;
})();

/** The field a header is known to hold, if any. */
export function fieldForHeader(header: string): ImportField | undefined {
  return DICTIONARY.get(foldKey(header));
}

export interface SuggestedMapping {
  mapping: ColumnMapping;
  /** Non-empty headers that no field was given (unknown spellings, or a second column for a field already mapped). */
  unknownHeaders: string[];
  missingRequired: ImportField[];
}

/** A mapping from the dictionary. When two columns spell the same field, the first one wins. */
export function suggestMapping(headers: string[]): SuggestedMapping {
  const mapping: ColumnMapping = {};
  const unknownHeaders: string[] = [];
  for (const header of headers) {
    if (header.trim() === '') continue;
    const field = fieldForHeader(header);
    if (field && mapping[field] === undefined) mapping[field] = header;
    else unknownHeaders.push(header);
  }
  return { mapping, unknownHeaders, missingRequired: REQUIRED_FIELDS.filter((f) => mapping[f] === undefined) };
}

export type MappingProblem =
  /** The mapping names a header that this file does not have. */
  | { code: 'header_absent'; field: ImportField; header: string }
  /** A required field has no column. */
  | { code: 'required_unmapped'; field: ImportField; header?: undefined }
  /** One column given to two fields (reported once per field after the first). */
  | { code: 'header_mapped_twice'; field: ImportField; header: string; otherField: ImportField }
  /** A key that is not a field (a mapping stored by an older version, or a hand-made request). */
  | { code: 'unknown_field'; field: string; header?: undefined };

/** Everything wrong with a mapping for these headers; empty when it can be compiled. */
export function checkMapping(headers: string[], mapping: ColumnMapping): MappingProblem[] {
  const problems: MappingProblem[] = [];
  const known = new Set<string>(IMPORT_FIELDS);
  const byColumn = new Map<number, ImportField>();
  for (const [field, header] of Object.entries(mapping)) {
    if (!known.has(field)) {
      problems.push({ code: 'unknown_field', field });
      continue;
    }
    if (header === undefined || header === null) continue;
    const f = field as ImportField;
    const column = columnOf(headers, header);
    if (column < 0) {
      problems.push({ code: 'header_absent', field: f, header });
      continue;
    }
    const other = byColumn.get(column);
    if (other) problems.push({ code: 'header_mapped_twice', field: f, header, otherField: other });
    else byColumn.set(column, f);
  }
  for (const field of REQUIRED_FIELDS) if (mapping[field] === undefined || mapping[field] === null) problems.push({ code: 'required_unmapped', field });
  return problems;
}

export class MappingError extends Error {
  readonly problems: MappingProblem[];
  constructor(problems: MappingProblem[]) {
    super(`mapping: ${problems.map((p) => `${p.code} ${p.field}`).join(', ')}`);
    this.name = 'MappingError';
    this.problems = problems;
  }
}

/**
 * A projector from a row's cells to the raw values of the mapped fields. Throws `MappingError`
 * when `checkMapping` finds a problem: a field silently read from nowhere would be data lost.
 */
export function compileMapping(headers: string[], mapping: ColumnMapping): (cells: string[]) => Partial<Record<ImportField, string>> {
  const problems = checkMapping(headers, mapping);
  if (problems.length) throw new MappingError(problems);
  const columns: [ImportField, number][] = [];
  for (const field of IMPORT_FIELDS) {
    const header = mapping[field];
    if (header !== undefined && header !== null) columns.push([field, columnOf(headers, header)]);
  }
  return (cells) => {
    const record: Partial<Record<ImportField, string>> = {};
    for (const [field, column] of columns) record[field] = cells[column] ?? '';
    return record;
  };
}

/** The column of a header: the exact spelling first, else the one with the same folded key. */
function columnOf(headers: string[], header: string): number {
  const exact = headers.indexOf(header);
  if (exact >= 0) return exact;
  const key = foldKey(header);
  if (key === '') return -1;
  return headers.findIndex((h) => foldKey(h) === key);
}
