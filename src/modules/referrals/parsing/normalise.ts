/**
 * From the raw cells of one row to a `NormalisedRow`: every value clean or absent, with a warning
 * per field that had a value Haven could not use, and the reason when the row is set aside.
 *
 * No normaliser throws, whatever the string (fast-check holds them to it). Free text is kept as
 * text: a remark `=HYPERLINK(…)` or `<script>` stays as written, because neutralising is the job of
 * whatever outputs it (`safeCell` for spreadsheets, React's escaping for the web).
 */

import type { FieldWarning, ImportField, NormalisedRow, SetAsideReason } from '../fields.ts';
import { normaliseColour, normaliseGender, normaliseRelation, normaliseRole, normaliseYesNo } from './codes.ts';
import { normaliseDate } from './dates.ts';
import { normaliseLanguage } from './languages.ts';
import { normaliseName } from './names.ts';
import { normalisePhone } from './phone.ts';
import { collapseSpaces, type Normalised, withoutControls } from './text.ts';

export { normaliseColour, normaliseGender, normaliseRelation, normaliseRole, normaliseYesNo } from './codes.ts';
export { normaliseDate } from './dates.ts';
export { ISO_639_1, normaliseLanguage } from './languages.ts';
export { normaliseName } from './names.ts';
export { normalisePhone } from './phone.ts';
export type { Normalised } from './text.ts';

/** A one-line text field: control characters removed, spaces collapsed, NFC. */
export function normaliseText(raw: string): Normalised<string> {
  const value = collapseSpaces(withoutControls(raw));
  return value === '' ? {} : { value };
}

/** Remarks keep their line breaks (as `\n`); each line is trimmed of trailing spaces. */
export function normaliseRemarks(raw: string): Normalised<string> {
  const value = withoutControls(raw.replace(/\r\n?/g, '\n'))
    .normalize('NFC')
    .split('\n')
    .map((line) => line.replace(/[^\S\n]+$/u, ''))
    .join('\n')
    .trim();
  return value === '' ? {} : { value };
}

/** PV numbers compare exactly: whitespace removed, upper case (`ha.55.l7.085320 /2024` → `HA.55.L7.085320/2024`). */
export function normalisePvNumber(raw: string): Normalised<string> {
  const value = withoutControls(raw).normalize('NFC').replace(/\s+/gu, '').toUpperCase();
  return value === '' ? {} : { value };
}

/** A Belgian postcode: four digits, 1000–9999; `B-3600` and `BE 3600` accepted. */
export function normalisePostcode(raw: string): Normalised<string> {
  const text = raw.trim();
  if (text === '') return {};
  const m = /^(?:BE?\s*-?\s*)?(\d{4})$/i.exec(text);
  if (!m || Number(m[1]) < 1000) return { warning: 'postcode_invalid' };
  return { value: m[1] as string };
}

/** The box number without its label: `b4`, `bus 4`, `bte 4`, `Boîte 4` → `4`. */
export function normaliseBox(raw: string): Normalised<string> {
  const text = collapseSpaces(withoutControls(raw));
  if (text === '') return {};
  const value = text.replace(/^(?:bus|bte|boîte|boite|box|b)\.?\s*(?=\S)/iu, '');
  return { value };
}

const EMAIL_LOCAL = /^[^\s@()<>[\]\\,;:"]+$/u;
const DOMAIN_LABEL = /^[\p{L}\p{N}](?:[\p{L}\p{N}-]{0,61}[\p{L}\p{N}])?$/u;
const TOP_LEVEL = /^(?:\p{L}{2,63}|xn--[a-z0-9-]{1,59})$/u;

/**
 * A sane address: one `@`, a local part without spaces or special characters, a domain of valid
 * labels with an alphabetic top-level domain. The domain is lower-cased (domains are
 * case-insensitive); the local part is kept as written (it may not be). `mailto:` is dropped.
 */
export function normaliseEmail(raw: string): Normalised<string> {
  const text = raw
    .trim()
    .replace(/^mailto:/i, '')
    .normalize('NFC');
  if (text === '') return {};
  const at = text.indexOf('@');
  if (at <= 0 || at !== text.lastIndexOf('@') || text.length > 254) return { warning: 'email_invalid' };
  const local = text.slice(0, at);
  const domain = text.slice(at + 1).toLowerCase();
  const labels = domain.split('.');
  const valid =
    local.length <= 64 &&
    EMAIL_LOCAL.test(local) &&
    !local.startsWith('.') &&
    !local.endsWith('.') &&
    !local.includes('..') &&
    labels.length >= 2 &&
    labels.every((l) => DOMAIN_LABEL.test(l)) &&
    TOP_LEVEL.test(labels[labels.length - 1] as string);
  return valid ? { value: `${local}@${domain}` } : { warning: 'email_invalid' };
}

export interface NormalisedResult {
  row: NormalisedRow;
  warnings: FieldWarning[];
  setAside?: SetAsideReason;
}

/**
 * Normalises every field of a row and decides whether it is set aside. The row is always fully
 * normalised, set aside or not: orange and red rows go to the coordinator's separate list, and the
 * others are shown in the import report with their values.
 *
 * One reason is given, in this order: `no_pv_number`, `no_colour` (missing or unknown), `no_name`
 * (neither first nor last name), then `red` and `orange`. So `red` and `orange` mean a complete
 * row that can become a dossier on the coordinator's list; an orange row without PV number is set
 * aside as `no_pv_number`, its colour still in `row` for the coordinator to see.
 */
export function normaliseRow(record: Partial<Record<ImportField, string>>, opts: { today: string }): NormalisedResult {
  const row: NormalisedRow = {};
  const warnings: FieldWarning[] = [];
  const put = <F extends ImportField & keyof NormalisedRow>(field: F, result: Normalised<NonNullable<NormalisedRow[F]>>) => {
    if (result.value !== undefined) row[field] = result.value;
    if (result.warning) warnings.push({ field, code: result.warning });
  };
  const raw = (field: ImportField) => record[field] ?? '';

  put('pv_number', normalisePvNumber(raw('pv_number')));
  put('facts_date', normaliseDate(raw('facts_date'), opts));
  put('registration_date', normaliseDate(raw('registration_date'), opts));
  put('police_zone', normaliseText(raw('police_zone')));
  put('municipality', normaliseText(raw('municipality')));
  put('postcode', normalisePostcode(raw('postcode')));
  put('street', normaliseText(raw('street')));
  put('house_number', normaliseText(raw('house_number')));
  put('box', normaliseBox(raw('box')));
  put('last_name', normaliseName(raw('last_name'), 'last'));
  put('first_name', normaliseName(raw('first_name'), 'first'));
  put('birth_date', normaliseDate(raw('birth_date'), opts));
  put('gender', normaliseGender(raw('gender')));
  put('role', normaliseRole(raw('role')));
  put('mobile', normalisePhone(raw('mobile')));
  put('phone', normalisePhone(raw('phone')));
  put('email', normaliseEmail(raw('email')));
  put('language', normaliseLanguage(raw('language')));
  put('relation', normaliseRelation(raw('relation')));
  put('minors_present', normaliseYesNo(raw('minors_present')));
  put('colour', normaliseColour(raw('colour')));
  put('remarks', normaliseRemarks(raw('remarks')));

  const setAside = setAsideReason(row);
  return setAside ? { row, warnings, setAside } : { row, warnings };
}

function setAsideReason(row: NormalisedRow): SetAsideReason | undefined {
  if (!row.pv_number) return 'no_pv_number';
  if (!row.colour) return 'no_colour';
  if (!row.last_name && !row.first_name) return 'no_name';
  if (row.colour === 'red') return 'red';
  if (row.colour === 'orange') return 'orange';
  return undefined;
}
