/**
 * Test helpers of the referrals module: a police zone with a signed, active protocol for a
 * programme, inserted directly (the protocol API has its own tests).
 */
import { createHash, randomUUID } from 'node:crypto';
import type { Db } from '../../kernel/db/database.ts';
import type { KeyRing } from '../../kernel/vault/keyring.ts';
import { DATA_CATEGORIES, type DataCategory } from './fields.ts';
import { personHash, pvContext, pvHash, sealIdentity } from './vault.ts';

export async function policeZone(db: Db, name = `PZ ${randomUUID().slice(0, 8)}`): Promise<string> {
  const r = await db.insertInto('organisations').values({ name, kind: 'police_zone', nis_code: null }).returning('id').executeTakeFirstOrThrow();
  return r.id;
}

export async function activeProtocol(
  db: Db,
  q: {
    programmeId: string;
    senderOrganisationId: string;
    receiverOrganisationId: string;
    categories?: DataCategory[];
    retentionDays?: number;
    validFrom?: string;
    validTo?: string | null;
  },
): Promise<string> {
  const pdf = Buffer.from('%PDF-1.4\n% signed protocol\n');
  const r = await db
    .insertInto('protocols')
    .values({
      programme_id: q.programmeId,
      sender_organisation_id: q.senderOrganisationId,
      receiver_organisation_id: q.receiverOrganisationId,
      title: 'Protocol gegevensdeling',
      purpose: 'Proactive outreach after a police intervention',
      legal_basis: 'gdpr_6_1_e',
      categories: q.categories ?? [...DATA_CATEGORIES],
      valid_from: q.validFrom ?? '2020-01-01',
      valid_to: q.validTo === undefined ? null : q.validTo,
      retention_days: q.retentionDays ?? 365,
      document: pdf,
      document_name: 'protocol.pdf',
      document_size: pdf.length,
      document_sha256: createHash('sha256').update(pdf).digest('hex'),
      created_by: null,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  return r.id;
}

/** One dossier with one contact and its sealed identity, as a commit would leave them. */
export async function seedContact(db: Db, keys: KeyRing, q: { programmeId: string; protocolId?: string | null; colour?: 'green' | 'orange' | 'red' }) {
  const pvNumber = `HA.55.L7.${randomUUID().slice(0, 6)}/2025`;
  const pv = pvHash(keys, q.programmeId, pvNumber);
  const dossier = await db
    .insertInto('dossiers')
    .values({
      programme_id: q.programmeId,
      protocol_id: q.protocolId ?? null,
      source: 'manual',
      pv_hash: pv,
      colour: q.colour ?? 'green',
      municipality: 'Genk',
      nis_code: '71016',
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  await db
    .insertInto('dossier_identities')
    .values({ dossier_id: dossier.id, pv_number: keys.seal(pvNumber, pvContext(pv)) })
    .execute();
  const person = personHash(keys, q.programmeId, { pv_number: pvNumber, last_name: 'Peeters', first_name: 'An' });
  const contact = await db
    .insertInto('contacts')
    .values({
      dossier_id: dossier.id,
      programme_id: q.programmeId,
      person_hash: person,
      role: 'victim',
      gender: 'f',
      language: 'nl',
      has_phone: true,
      phone_hash: null,
      birth_year: 1980,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  await db
    .insertInto('contact_identities')
    .values({ contact_id: contact.id, person_hash: person, data: sealIdentity(keys, person, { lastName: 'Peeters', firstName: 'An', mobile: '+32470123456' }) })
    .execute();
  return { dossierId: dossier.id, contactId: contact.id, pvNumber };
}

/** An import in a given state, uploaded by `uploadedBy`, with no rows. */
export async function seedImport(
  db: Db,
  q: { programmeId: string; senderOrganisationId: string; protocolId: string; uploadedBy: string | null; status: 'awaiting_file' | 'previewed' },
): Promise<string> {
  const counts = { rows: 0, accepted: 0, withWarnings: 0, setAside: {}, warnings: {}, dossiers: 0, contacts: 0, withoutPhone: 0, alreadyKnown: 0 };
  const r = await db
    .insertInto('imports')
    .values({
      programme_id: q.programmeId,
      sender_organisation_id: q.senderOrganisationId,
      protocol_id: q.protocolId,
      uploaded_by: q.uploadedBy,
      file_name: 'seed.csv',
      columns: JSON.stringify({ pv_number: 'PV-nummer', last_name: 'Naam', first_name: 'Voornaam', colour: 'Kleurcode' }),
      status: q.status,
      counts: q.status === 'previewed' ? JSON.stringify(counts) : null,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  return r.id;
}
