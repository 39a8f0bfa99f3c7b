/**
 * Dossiers and contacts: a manual referral (one dossier typed in after a phone call from the
 * police) and closing a contact, which starts its protocol's retention clock.
 */
import { sql } from 'kysely';
import type { Audit, Tx } from '../../kernel/http/context.ts';
import { problems } from '../../kernel/http/problem.ts';
import type { KeyRing } from '../../kernel/vault/keyring.ts';
import type { FieldWarning, ImportField, NormalisedRow } from './fields.ts';
import { normaliseRow } from './parsing/normalise.ts';
import { brusselsToday, type ProtocolRow } from './protocols.ts';
import { foldKey, personHash, phoneHash, pvContext, pvHash, sealIdentity } from './vault.ts';

/** What a person of a manual referral may carry: the raw values, normalised like an import's. */
export type RawPerson = Partial<Record<ImportField, string>>;

export interface ManualReferral {
  programmeId: string;
  protocol: ProtocolRow;
  dossier: RawPerson;
  persons: RawPerson[];
  createdBy: string;
}

/**
 * Normalises the dossier and each person exactly as an import would. Unlike an import, a value
 * that cannot be used is refused with its field (the person typing can correct it), instead of
 * being left empty with a warning.
 */
export function normaliseManual(input: { dossier: RawPerson; persons: RawPerson[] }): { rows: NormalisedRow[] } {
  const errors: { field: string; code: string }[] = [];
  const rows = input.persons.map((person, i) => {
    const result = normaliseRow({ ...input.dossier, colour: input.dossier.colour ?? 'green', ...person }, { today: brusselsToday() });
    for (const w of result.warnings as FieldWarning[]) {
      const inDossier = input.dossier[w.field] !== undefined && person[w.field] === undefined;
      errors.push({ field: inDossier ? `dossier.${w.field}` : `persons.${i}.${w.field}`, code: w.code });
    }
    if (result.setAside === 'no_pv_number') errors.push({ field: 'dossier.pv_number', code: 'required' });
    if (result.setAside === 'no_name') errors.push({ field: `persons.${i}.last_name`, code: 'required' });
    if (result.setAside === 'no_colour') errors.push({ field: 'dossier.colour', code: 'colour_unknown' });
    return result.row;
  });
  const unique = new Map(errors.map((e) => [`${e.field}|${e.code}`, e]));
  if (unique.size) throw problems.validation([...unique.values()].map((e) => ({ ...e, key: `errors:field.${e.code}` })));
  return { rows };
}

export async function createManualReferral(tx: Tx, keys: KeyRing, audit: Audit, input: ManualReferral): Promise<{ dossierId: string; contactIds: string[] }> {
  const { rows } = normaliseManual(input);
  const first = rows[0];
  if (!first?.pv_number) throw problems.invalidField('dossier.pv_number', 'required');
  const allowed = new Set(input.protocol.categories);
  const pv = pvHash(keys, input.programmeId, first.pv_number);
  const existing = await tx.selectFrom('dossiers').select('id').where('programme_id', '=', input.programmeId).where('pv_hash', '=', pv).executeTakeFirst();
  if (existing) throw problems.conflict('dossier_exists');
  const municipality = first.municipality
    ? await tx
        .selectFrom('programmes as p')
        .innerJoin('project_municipalities as m', 'm.project_id', 'p.project_id')
        .select(['m.name', 'm.nis_code'])
        .where('p.id', '=', input.programmeId)
        .execute()
        .then((ms) => ms.find((m) => foldKey(m.name) === foldKey(first.municipality ?? '')))
    : undefined;
  if (first.municipality && !municipality) throw problems.invalidField('dossier.municipality', 'municipality_unknown');
  const severity = Math.max(...rows.map((r) => (r.colour === 'red' ? 3 : r.colour === 'orange' ? 2 : 1)));
  const dossier = await tx
    .insertInto('dossiers')
    .values({
      programme_id: input.programmeId,
      protocol_id: input.protocol.id,
      source: 'manual',
      pv_hash: pv,
      colour: severity === 3 ? 'red' : severity === 2 ? 'orange' : 'green',
      police_zone: first.police_zone ?? null,
      municipality: municipality?.name ?? null,
      nis_code: municipality?.nis_code ?? null,
      postcode: first.postcode ?? null,
      relation: first.relation ?? null,
      minors_present: first.minors_present ?? null,
      facts_on: first.facts_date ?? null,
      registered_on: first.registration_date ?? null,
      created_by: input.createdBy,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  await tx
    .insertInto('dossier_identities')
    .values({ dossier_id: dossier.id, pv_number: keys.seal(first.pv_number, pvContext(pv)) })
    .execute();
  const contactIds: string[] = [];
  const seen = new Set<string>();
  for (const [i, row] of rows.entries()) {
    const person = personHash(keys, input.programmeId, row);
    if (seen.has(person)) throw problems.invalidField(`persons.${i}`, 'person_twice');
    seen.add(person);
    const phone = allowed.has('contact') ? (row.mobile ?? row.phone) : undefined;
    const contact = await tx
      .insertInto('contacts')
      .values({
        dossier_id: dossier.id,
        programme_id: input.programmeId,
        person_hash: person,
        role: row.role ?? null,
        gender: allowed.has('gender') ? (row.gender ?? null) : null,
        language: allowed.has('language') ? (row.language ?? null) : null,
        birth_year: allowed.has('birth_date') && row.birth_date ? Number(row.birth_date.slice(0, 4)) : null,
        has_phone: phone !== undefined,
        phone_hash: phone ? phoneHash(keys, input.programmeId, phone) : null,
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    contactIds.push(contact.id);
    const doc = {
      ...(allowed.has('identity') && row.last_name ? { lastName: row.last_name } : {}),
      ...(allowed.has('identity') && row.first_name ? { firstName: row.first_name } : {}),
      ...(allowed.has('birth_date') && row.birth_date ? { birthDate: row.birth_date } : {}),
      ...(allowed.has('contact') && row.mobile ? { mobile: row.mobile } : {}),
      ...(allowed.has('contact') && row.phone ? { phone: row.phone } : {}),
      ...(allowed.has('contact') && row.email ? { email: row.email } : {}),
      ...(allowed.has('address') && row.street ? { street: row.street } : {}),
      ...(allowed.has('address') && row.house_number ? { houseNumber: row.house_number } : {}),
      ...(allowed.has('address') && row.box ? { box: row.box } : {}),
      ...(allowed.has('remarks') && row.remarks ? { remarks: row.remarks } : {}),
    };
    await tx
      .insertInto('contact_identities')
      .values({ contact_id: contact.id, person_hash: person, data: sealIdentity(keys, person, doc) })
      .execute();
  }
  audit({
    action: 'dossier.create',
    recordType: 'dossier',
    recordId: dossier.id,
    programmeId: input.programmeId,
    details: { source: 'manual', contacts: contactIds.length, protocolId: input.protocol.id },
  });
  return { dossierId: dossier.id, contactIds };
}

/** How a contact can be closed before outreach begins (outreach adds its own outcomes). */
export const INTAKE_OUTCOMES = ['not_informed', 'letter_sent'] as const;
export type IntakeOutcome = (typeof INTAKE_OUTCOMES)[number];

/**
 * Closes a contact with an outcome and starts the retention clock: its identifying data may be
 * kept for the protocol's retention period after this moment, no longer.
 */
export async function closeContact(tx: Tx, audit: Audit, q: { programmeId: string; contactId: string; outcome: string }): Promise<void> {
  const contact = await tx
    .selectFrom('contacts as c')
    .innerJoin('dossiers as d', 'd.id', 'c.dossier_id')
    .leftJoin('protocols as p', 'p.id', 'd.protocol_id')
    .select(['c.id', 'c.status', 'p.retention_days'])
    .where('c.id', '=', q.contactId)
    .where('c.programme_id', '=', q.programmeId)
    .forUpdate('c')
    .executeTakeFirst();
  if (!contact) throw problems.notFound();
  if (contact.status === 'closed') throw problems.conflict('contact_closed');
  const days = contact.retention_days ?? 0;
  await tx
    .updateTable('contacts')
    .set({
      status: 'closed',
      outcome: q.outcome,
      closed_at: sql`now()`,
      retention_until: sql`now() + make_interval(days => ${days})`,
    })
    .where('id', '=', q.contactId)
    .execute();
  audit({
    action: 'contact.close',
    recordType: 'contact',
    recordId: q.contactId,
    programmeId: q.programmeId,
    details: { outcome: q.outcome, retentionDays: days },
  });
}
