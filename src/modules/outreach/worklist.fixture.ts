/**
 * Test helpers of the worklist: contacts of green (or other) dossiers with chosen facts, identity
 * and outreach state, and earlier attempts on chosen days, inserted straight into the tables so a
 * test starts from the state it checks. Every person is invented.
 */
import { randomUUID } from 'node:crypto';
import type { Db } from '../../kernel/db/database.ts';
import type { KeyRing } from '../../kernel/vault/keyring.ts';
import { type IdentityDocument, personHash, pvContext, pvHash, sealIdentity } from '../referrals/vault.ts';
import { localDay, partOfDay } from './rules.ts';
import type { AttemptChannel, AttemptOutcome } from './schema.ts';

export interface SeedPerson {
  identity?: IdentityDocument;
  language?: string | null;
  hasPhone?: boolean;
  role?: string;
  receivedAt?: Date;
  assignedTo?: string | null;
  leaseHolder?: string | null;
  leaseUntil?: Date | null;
  nextDueAt?: Date | null;
  followUpAt?: Date | null;
  attemptCount?: number;
}

export interface SeedDossier {
  programmeId: string;
  protocolId?: string | null;
  colour?: 'green' | 'orange' | 'red';
  factsOn?: string | null;
  nisCode?: string;
  municipality?: string;
}

let n = 0;

/** A dossier with its persons (one contact each); returns the dossier id and the contact ids in order. */
export async function seedDossier(db: Db, keys: KeyRing, d: SeedDossier, persons: SeedPerson[] = [{}]): Promise<{ dossierId: string; contactIds: string[] }> {
  const pvNumber = `HA.55.L7.${randomUUID().slice(0, 8)}/2025`;
  const pv = pvHash(keys, d.programmeId, pvNumber);
  const dossier = await db
    .insertInto('dossiers')
    .values({
      programme_id: d.programmeId,
      protocol_id: d.protocolId ?? null,
      source: 'manual',
      pv_hash: pv,
      colour: d.colour ?? 'green',
      municipality: d.municipality ?? 'Genk',
      nis_code: d.nisCode ?? '71016',
      facts_on: d.factsOn === undefined ? '2025-01-10' : d.factsOn,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  await db
    .insertInto('dossier_identities')
    .values({ dossier_id: dossier.id, pv_number: keys.seal(pvNumber, pvContext(pv)) })
    .execute();
  const contactIds: string[] = [];
  for (const p of persons) {
    const identity = p.identity ?? { lastName: `Peeters${n++}`, firstName: 'An', mobile: '+32470123456' };
    const person = personHash(keys, d.programmeId, { pv_number: pvNumber, last_name: identity.lastName, first_name: identity.firstName });
    const hasPhone = p.hasPhone ?? Boolean(identity.mobile || identity.phone);
    const c = await db
      .insertInto('contacts')
      .values({
        dossier_id: dossier.id,
        programme_id: d.programmeId,
        person_hash: person,
        role: p.role ?? 'victim',
        gender: null,
        language: p.language === undefined ? 'nl' : p.language,
        birth_year: null,
        has_phone: hasPhone,
        phone_hash: null,
        ...(p.receivedAt ? { received_at: p.receivedAt } : {}),
        assigned_to: p.assignedTo ?? null,
        lease_holder: p.leaseHolder ?? null,
        lease_until: p.leaseUntil ?? null,
        next_due_at: p.nextDueAt ?? null,
        follow_up_at: p.followUpAt ?? null,
        attempt_count: p.attemptCount ?? 0,
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    await db
      .insertInto('contact_identities')
      .values({ contact_id: c.id, person_hash: person, data: sealIdentity(keys, person, identity) })
      .execute();
    contactIds.push(c.id);
  }
  return { dossierId: dossier.id, contactIds };
}

/** One contact in a green dossier of its own. */
export async function seedWorkContact(db: Db, keys: KeyRing, d: SeedDossier, p: SeedPerson = {}): Promise<string> {
  return (await seedDossier(db, keys, d, [p])).contactIds[0] as string;
}

/** An earlier attempt, as the attempts route would have recorded it (attempt_count follows). */
export async function seedAttempt(
  db: Db,
  q: { programmeId: string; contactId: string; at: Date; channel?: AttemptChannel; outcome?: AttemptOutcome; callerId?: string | null },
): Promise<void> {
  const c = await db.selectFrom('contacts').select('attempt_count').where('id', '=', q.contactId).executeTakeFirstOrThrow();
  await db
    .insertInto('attempts')
    .values({
      contact_id: q.contactId,
      programme_id: q.programmeId,
      attempt_no: c.attempt_count + 1,
      caller_id: q.callerId ?? null,
      at: q.at,
      local_day: localDay(q.at),
      part_of_day: partOfDay(q.at),
      channel: q.channel ?? 'phone',
      outcome: q.outcome ?? 'no_answer',
      note: null,
    })
    .execute();
  await db
    .updateTable('contacts')
    .set({ attempt_count: c.attempt_count + 1, last_attempt_at: q.at })
    .where('id', '=', q.contactId)
    .execute();
}

/** `days` Brussels days before now, at the same time of day as now plus `hours`. */
export const daysAgo = (days: number, hours = 0) => new Date(Date.now() - days * 86_400_000 + hours * 3_600_000);
