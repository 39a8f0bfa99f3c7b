/**
 * The fields of a police export, as Haven knows them, and the data categories a data-sharing
 * protocol can allow. Shared by the parser, the column mappings, the importer and the web app.
 */

export const DATA_CATEGORIES = ['incident', 'identity', 'contact', 'address', 'birth_date', 'gender', 'language', 'remarks'] as const;
export type DataCategory = (typeof DATA_CATEGORIES)[number];

export const IMPORT_FIELDS = [
  'pv_number',
  'facts_date',
  'registration_date',
  'police_zone',
  'municipality',
  'postcode',
  'street',
  'house_number',
  'box',
  'last_name',
  'first_name',
  'birth_date',
  'gender',
  'role',
  'mobile',
  'phone',
  'email',
  'language',
  'relation',
  'minors_present',
  'colour',
  'remarks',
] as const;
export type ImportField = (typeof IMPORT_FIELDS)[number];

/** Which category a field belongs to: a protocol without that category drops the column. */
export const FIELD_CATEGORY: Record<ImportField, DataCategory> = {
  pv_number: 'incident',
  facts_date: 'incident',
  registration_date: 'incident',
  police_zone: 'incident',
  municipality: 'incident',
  postcode: 'incident',
  relation: 'incident',
  minors_present: 'incident',
  colour: 'incident',
  role: 'incident',
  street: 'address',
  house_number: 'address',
  box: 'address',
  last_name: 'identity',
  first_name: 'identity',
  birth_date: 'birth_date',
  gender: 'gender',
  mobile: 'contact',
  phone: 'contact',
  email: 'contact',
  language: 'language',
  remarks: 'remarks',
};

/** Without these, an export cannot be imported: a mapping must name a column for each. */
export const REQUIRED_FIELDS: readonly ImportField[] = ['pv_number', 'colour', 'last_name', 'first_name'];

/** Identifying fields: they are sealed in the identity vault, never stored in clear. */
export const IDENTIFYING_FIELDS: readonly ImportField[] = [
  'last_name',
  'first_name',
  'birth_date',
  'mobile',
  'phone',
  'email',
  'street',
  'house_number',
  'box',
  'remarks',
];

export const COLOURS = ['green', 'orange', 'red'] as const;
export type Colour = (typeof COLOURS)[number];

export const RELATIONS = ['partner', 'ex_partner', 'parent_child', 'child_parent', 'elder_abuse', 'siblings', 'other_family', 'other'] as const;
export type Relation = (typeof RELATIONS)[number];

export const PERSON_ROLES = ['victim', 'suspect', 'involved'] as const;
export type PersonRole = (typeof PERSON_ROLES)[number];

export const GENDERS = ['f', 'm', 'x'] as const;
export type Gender = (typeof GENDERS)[number];

/** A column mapping: for each field, the header of the column that holds it (or none). */
export type ColumnMapping = Partial<Record<ImportField, string>>;

/** Why a row is set aside (kept out of the import, or out of the green flow). */
export const SET_ASIDE_REASONS = ['no_pv_number', 'no_colour', 'orange', 'red', 'already_imported', 'duplicate_in_file', 'no_name'] as const;
export type SetAsideReason = (typeof SET_ASIDE_REASONS)[number];

/** Why a field of an accepted row was left empty. */
export const WARNING_CODES = [
  'date_unreadable',
  'date_impossible',
  'phone_unusable',
  'language_unknown',
  'email_invalid',
  'gender_unknown',
  'role_unknown',
  'relation_unknown',
  'minors_unknown',
  'postcode_invalid',
  'municipality_unknown',
] as const;
export type WarningCode = (typeof WARNING_CODES)[number];

/** A row after normalisation: every value clean or absent. */
export interface NormalisedRow {
  pv_number?: string;
  facts_date?: string; // yyyy-mm-dd
  registration_date?: string; // yyyy-mm-dd
  police_zone?: string;
  municipality?: string;
  postcode?: string;
  street?: string;
  house_number?: string;
  box?: string;
  last_name?: string;
  first_name?: string;
  birth_date?: string; // yyyy-mm-dd
  gender?: Gender;
  role?: PersonRole;
  mobile?: string; // E.164
  phone?: string; // E.164
  email?: string;
  language?: string; // ISO 639-1
  relation?: Relation;
  minors_present?: boolean;
  colour?: Colour;
  remarks?: string;
}

export interface FieldWarning {
  field: ImportField;
  code: WarningCode;
}
