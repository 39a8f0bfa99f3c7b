/**
 * Coded fields: relation, yes/no, colour, gender, role. Each value is known by its Dutch, French,
 * English and German spellings (case, accents, spaces and punctuation ignored); anything else is
 * left empty with a warning, never guessed.
 */

import type { Colour, Gender, PersonRole, Relation, WarningCode } from '../fields.ts';
import { codeTable, lookupCode, type Normalised } from './text.ts';

const RELATIONS = codeTable<Relation>({
  partner: [
    'Partner',
    'Partners',
    'Partnergeweld',
    'Koppel',
    'Echtgeno(o)t(e)',
    'Echtgenoot',
    'Echtgenote',
    'Partenaire',
    'Partenaires',
    'Couple',
    'Conjoint',
    'Conjointe',
    'Époux',
    'Épouse',
    'Spouse',
    'Partnerschaft',
    'Ehepartner',
  ],
  ex_partner: [
    'Ex-partner',
    'Ex partner',
    'Ex',
    'Ex-partners',
    'Ex-echtgeno(o)t(e)',
    'Ex-partenaire',
    'Ex-conjoint',
    'Ex-conjointe',
    'Ancien partenaire',
    'Former partner',
    'Ex-Partner',
  ],
  parent_child: ['Ouder-kind', 'Ouder/kind', 'Ouder tegen kind', 'Parent-enfant', 'Parent/enfant', 'Parent-child', 'Eltern-Kind'],
  child_parent: ['Kind-ouder', 'Kind/ouder', 'Kind tegen ouder', 'Enfant-parent', 'Enfant/parent', 'Child-parent', 'Kind-Eltern'],
  elder_abuse: [
    'Ouderenmis(be)handeling',
    'Ouderenmishandeling',
    'Ouderenmisbehandeling',
    'Maltraitance des aînés',
    'Maltraitance envers les aînés',
    'Maltraitance des personnes âgées',
    'Elder abuse',
    'Gewalt gegen Ältere',
  ],
  siblings: [
    'Broer-zus',
    'Broer/zus',
    'Broers-zussen',
    'Broers en zussen',
    'Fratrie',
    'Frère-sœur',
    'Frères-sœurs',
    'Frères et sœurs',
    'Siblings',
    'Sibling',
    'Geschwister',
  ],
  other_family: [
    'Andere familie',
    'Ander familielid',
    'Familie',
    'Autre famille',
    'Autre membre de la famille',
    'Famille',
    'Other family',
    'Family',
    'Andere Familie',
  ],
  other: ['Andere', 'Ander', 'Overige', 'Autre', 'Autres', 'Other', 'Sonstige'],
});

const YES_NO = codeTable<'yes' | 'no'>({
  yes: ['Ja', 'J', 'Oui', 'Yes', 'Y', '1', 'True', 'Waar', 'Vrai', 'Wahr'],
  no: ['Nee', 'Neen', 'N', 'Non', 'No', 'Nein', '0', 'False', 'Onwaar', 'Faux', 'Falsch'],
});

const COLOURS = codeTable<Colour>({
  green: ['Groen', 'Vert', 'Verte', 'Green', 'Grün', 'G'],
  orange: ['Oranje', 'Orange', 'Amber', 'O'],
  red: ['Rood', 'Rouge', 'Red', 'Rot', 'R'],
});

const GENDERS = codeTable<Gender>({
  f: ['V', 'Vrouw', 'Vrouwelijk', 'F', 'Femme', 'Féminin', 'Female', 'Woman', 'W', 'Weiblich', 'Frau'],
  m: ['M', 'Man', 'Mannelijk', 'Homme', 'H', 'Masculin', 'Male', 'Männlich', 'Mann'],
  x: ['X', 'Ander', 'Non-binair', 'Non-binaire', 'Non-binary', 'Nonbinary', 'Divers', 'Neutraal', 'Neutre', 'Neutral'],
});

const ROLES = codeTable<PersonRole>({
  victim: ['Slachtoffer', 'SO', 'Victime', 'Victim', 'Opfer'],
  suspect: [
    'Verdachte',
    'Vermoedelijke dader',
    'Dader',
    'Suspect',
    'Suspecte',
    'Auteur',
    'Auteur présumé',
    'Perpetrator',
    'Offender',
    'Author',
    'Verdächtiger',
    'Täter',
  ],
  involved: [
    'Betrokkene',
    'Betrokken',
    'Betrokken partij',
    'Impliqué',
    'Impliquée',
    'Partie impliquée',
    'Involved',
    'Involved party',
    'Beteiligter',
    'Beteiligte',
  ],
});

function coded<T>(table: ReadonlyMap<string, T>, raw: string, warning: WarningCode): Normalised<T> {
  if (raw.trim() === '') return {};
  const value = lookupCode(table, raw);
  return value === undefined ? { warning } : { value };
}

export function normaliseRelation(raw: string): Normalised<Relation> {
  return coded(RELATIONS, raw, 'relation_unknown');
}

/** Yes/no as a boolean: `Ja`, `NEE`, `oui`, `non`, `1`, `0`, `true`… ("onbekend" is a warning, not a no). */
export function normaliseYesNo(raw: string): Normalised<boolean> {
  const result = coded(YES_NO, raw, 'minors_unknown');
  return result.value === undefined ? { ...(result.warning ? { warning: result.warning } : {}) } : { value: result.value === 'yes' };
}

/** The risk colour. There is no warning: a row without a known colour is set aside (`no_colour`). */
export function normaliseColour(raw: string): Normalised<Colour> {
  if (raw.trim() === '') return {};
  const value = lookupCode(COLOURS, raw);
  return value === undefined ? {} : { value };
}

export function normaliseGender(raw: string): Normalised<Gender> {
  return coded(GENDERS, raw, 'gender_unknown');
}

export function normaliseRole(raw: string): Normalised<PersonRole> {
  return coded(ROLES, raw, 'role_unknown');
}
