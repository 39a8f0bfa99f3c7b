/**
 * The directory of services people are referred to (per project: CAW, peer groups, Veilig Huis,
 * GP…), referrals of a contact to a service (proposed → accepted → taken up, or declined), and
 * follow-up calls that bring a contact back to the worklist when due.
 *
 * A service is public information about an organisation, not personal data. A referral is a
 * pseudonymous fact that the funnel counts: it copies the service's kind at proposal, so counts by
 * kind stay when the directory changes, and it survives the retention purge.
 */
import { sql } from 'kysely';
import type { Db } from '../../kernel/db/database.ts';
import type { Audit, Tx } from '../../kernel/http/context.ts';
import { type FieldError, problems } from '../../kernel/http/problem.ts';
import { ISO_639_1 } from '../referrals/parsing/normalise.ts';
import type { ReferralStatus, ServiceKind } from './schema.ts';

// ---- The directory ----------------------------------------------------------------------------

/** What a coordinator enters for a service (services.manage). */
export interface ServiceInput {
  organisationId: string | null;
  name: string;
  kind: ServiceKind;
  /** NIS codes of the project's municipalities the service serves; empty: the whole project. */
  nisCodes: string[];
  /** ISO 639-1 codes of the languages the service works in; empty: not stated. */
  languages: string[];
  phone: string | null;
  email: string | null;
  website: string | null;
  description: string;
  active: boolean;
}

export interface ServiceFilters {
  kind?: ServiceKind;
  /** Services serving this municipality (or the whole project). */
  nisCode?: string;
  /** Services working in this language (or whose languages are not stated). */
  language?: string;
  active?: boolean;
}

export function serviceQuery(db: Db | Tx) {
  return db
    .selectFrom('services as s')
    .leftJoin('organisations as o', 'o.id', 's.organisation_id')
    .select([
      's.id',
      's.project_id',
      's.organisation_id',
      'o.name as organisation_name',
      's.name',
      's.kind',
      's.nis_codes',
      's.languages',
      's.phone',
      's.email',
      's.website',
      's.description',
      's.active',
      's.created_at',
      's.updated_at',
      sql<number>`(SELECT count(*)::int FROM service_referrals r WHERE r.service_id = s.id)`.as('referrals'),
    ]);
}
type ServiceRow = Awaited<ReturnType<ReturnType<typeof serviceQuery>['execute']>>[number];

export const toService = (r: ServiceRow) => ({
  id: r.id,
  projectId: r.project_id,
  organisationId: r.organisation_id,
  organisationName: r.organisation_name,
  name: r.name,
  kind: r.kind,
  nisCodes: r.nis_codes,
  languages: r.languages,
  phone: r.phone,
  email: r.email,
  website: r.website,
  description: r.description,
  active: r.active,
  /** How many referrals point at it: a service with referrals is deactivated, never deleted. */
  referrals: Number(r.referrals),
  createdAt: r.created_at.toISOString(),
  updatedAt: r.updated_at.toISOString(),
});
export type Service = ReturnType<typeof toService>;

/** The project a programme belongs to (the directory is the project's). */
export async function projectOf(db: Db | Tx, programmeId: string): Promise<string> {
  const p = await db.selectFrom('programmes').select('project_id').where('id', '=', programmeId).executeTakeFirst();
  if (!p) throw problems.notFound();
  return p.project_id;
}

export async function listServices(db: Db, projectId: string, f: ServiceFilters, page: { page: number; pageSize: number }) {
  let base = db.selectFrom('services as s').where('s.project_id', '=', projectId);
  if (f.kind) base = base.where('s.kind', '=', f.kind);
  if (f.active !== undefined) base = base.where('s.active', '=', f.active);
  if (f.nisCode) base = base.where(sql<boolean>`(cardinality(s.nis_codes) = 0 OR s.nis_codes @> ARRAY[${f.nisCode}]::text[])`);
  if (f.language) base = base.where(sql<boolean>`(cardinality(s.languages) = 0 OR s.languages @> ARRAY[${f.language}]::text[])`);
  const ids = base
    .select('s.id')
    .orderBy('s.active', 'desc')
    .orderBy('s.kind')
    .orderBy(sql`lower(s.name)`)
    .orderBy('s.id')
    .limit(page.pageSize)
    .offset((page.page - 1) * page.pageSize);
  const [rows, total] = await Promise.all([
    serviceQuery(db).where('s.id', 'in', ids).orderBy('s.active', 'desc').orderBy('s.kind').orderBy(sql`lower(s.name)`).orderBy('s.id').execute(),
    base
      .select(sql<number>`count(*)::int`.as('n'))
      .executeTakeFirstOrThrow()
      .then((r) => Number(r.n)),
  ]);
  return { items: rows.map(toService), total };
}

export async function serviceById(db: Db | Tx, projectId: string, serviceId: string): Promise<Service> {
  const row = await serviceQuery(db).where('s.id', '=', serviceId).where('s.project_id', '=', projectId).executeTakeFirst();
  if (!row) throw problems.notFound();
  return toService(row);
}

/**
 * Checks what the schema cannot: the organisation exists and is active, each municipality is one
 * of the project's, each language an ISO 639-1 code. All failures at once, by field.
 */
async function checkServiceInput(tx: Tx, projectId: string, input: ServiceInput): Promise<void> {
  const errors: FieldError[] = [];
  const fail = (field: string, code: string) => errors.push({ field, code, key: `errors:field.${code}` });
  if (input.organisationId) {
    const org = await tx.selectFrom('organisations').select(['active']).where('id', '=', input.organisationId).executeTakeFirst();
    if (!org) fail('organisationId', 'unknown_reference');
    else if (!org.active) fail('organisationId', 'organisation_inactive');
  }
  if (input.nisCodes.length) {
    const known = new Set(
      (await tx.selectFrom('project_municipalities').select('nis_code').where('project_id', '=', projectId).execute()).map((m) => m.nis_code),
    );
    input.nisCodes.forEach((nis, i) => {
      if (!known.has(nis)) fail(`nisCodes.${i}`, 'municipality_unknown');
    });
  }
  input.languages.forEach((lang, i) => {
    if (!ISO_639_1.has(lang)) fail(`languages.${i}`, 'language_unknown');
  });
  if (errors.length) throw problems.validation(errors);
}

const columnsOf = (input: ServiceInput) => ({
  organisation_id: input.organisationId,
  name: input.name,
  kind: input.kind,
  nis_codes: [...new Set(input.nisCodes)],
  languages: [...new Set(input.languages)],
  phone: input.phone,
  email: input.email,
  website: input.website,
  description: input.description,
  active: input.active,
});

export async function createService(tx: Tx, audit: Audit, q: { programmeId: string; projectId: string; input: ServiceInput }): Promise<Service> {
  await checkServiceInput(tx, q.projectId, q.input);
  const r = await tx
    .insertInto('services')
    .values({ project_id: q.projectId, ...columnsOf(q.input) })
    .returning('id')
    .executeTakeFirstOrThrow();
  audit({
    action: 'service.create',
    recordType: 'service',
    recordId: r.id,
    programmeId: q.programmeId,
    details: { kind: q.input.kind, projectId: q.projectId },
  });
  return serviceById(tx, q.projectId, r.id);
}

/** Replaces every field of a service (PUT). */
export async function updateService(
  tx: Tx,
  audit: Audit,
  q: { programmeId: string; projectId: string; serviceId: string; input: ServiceInput },
): Promise<Service> {
  const before = await serviceById(tx, q.projectId, q.serviceId);
  await checkServiceInput(tx, q.projectId, q.input);
  await tx
    .updateTable('services')
    .set({ ...columnsOf(q.input), updated_at: sql`now()` })
    .where('id', '=', q.serviceId)
    .execute();
  const after = await serviceById(tx, q.projectId, q.serviceId);
  const changed = (['organisationId', 'name', 'kind', 'nisCodes', 'languages', 'phone', 'email', 'website', 'description', 'active'] as const).filter(
    (k) => JSON.stringify(before[k]) !== JSON.stringify(after[k]),
  );
  audit({ action: 'service.update', recordType: 'service', recordId: q.serviceId, programmeId: q.programmeId, details: { fields: changed } });
  return after;
}

/**
 * Removes a service from the directory. One that referrals point at is deactivated instead: the
 * referrals keep their service, and nobody can refer to it any more.
 */
export async function removeService(
  tx: Tx,
  audit: Audit,
  q: { programmeId: string; projectId: string; serviceId: string },
): Promise<{ outcome: 'deleted' | 'deactivated'; service: Service | null }> {
  const service = await serviceById(tx, q.projectId, q.serviceId);
  const locked = await tx.selectFrom('services').select('id').where('id', '=', q.serviceId).forUpdate().executeTakeFirstOrThrow();
  const used = await tx.selectFrom('service_referrals').select('id').where('service_id', '=', locked.id).limit(1).executeTakeFirst();
  if (used) {
    await tx.updateTable('services').set({ active: false, updated_at: sql`now()` }).where('id', '=', q.serviceId).execute();
    audit({
      action: 'service.deactivate',
      recordType: 'service',
      recordId: q.serviceId,
      programmeId: q.programmeId,
      details: { referrals: service.referrals },
    });
    return { outcome: 'deactivated', service: await serviceById(tx, q.projectId, q.serviceId) };
  }
  await tx.deleteFrom('services').where('id', '=', q.serviceId).execute();
  audit({ action: 'service.delete', recordType: 'service', recordId: q.serviceId, programmeId: q.programmeId, details: { kind: service.kind } });
  return { outcome: 'deleted', service: null };
}

// ---- Referrals --------------------------------------------------------------------------------

/**
 * The moves a referral may make: proposed → accepted → taken up, and declined from proposed or
 * accepted. Taken up and declined are final.
 */
export const REFERRAL_MOVES: Readonly<Record<ReferralStatus, readonly ReferralStatus[]>> = {
  proposed: ['accepted', 'declined'],
  accepted: ['taken_up', 'declined'],
  taken_up: [],
  declined: [],
};

export function canMove(from: ReferralStatus, to: ReferralStatus): boolean {
  return REFERRAL_MOVES[from].includes(to);
}

/** The column that records when a referral reached a status. */
const STAMP = { proposed: 'proposed_at', accepted: 'accepted_at', taken_up: 'taken_up_at', declined: 'declined_at' } as const;

export function referralQuery(db: Db | Tx) {
  return db
    .selectFrom('service_referrals as r')
    .innerJoin('services as s', 's.id', 'r.service_id')
    .select([
      'r.id',
      'r.contact_id',
      'r.conversation_id',
      'r.service_id',
      's.name as service_name',
      's.active as service_active',
      'r.service_kind',
      'r.status',
      'r.proposed_at',
      'r.accepted_at',
      'r.taken_up_at',
      'r.declined_at',
      'r.created_by',
      'r.updated_at',
    ]);
}
type ReferralRow = Awaited<ReturnType<ReturnType<typeof referralQuery>['execute']>>[number];
const iso = (d: Date | null) => (d ? d.toISOString() : null);

export const toReferral = (r: ReferralRow) => ({
  id: r.id,
  contactId: r.contact_id,
  conversationId: r.conversation_id,
  serviceId: r.service_id,
  serviceName: r.service_name,
  serviceActive: r.service_active,
  serviceKind: r.service_kind,
  status: r.status,
  proposedAt: r.proposed_at.toISOString(),
  acceptedAt: iso(r.accepted_at),
  takenUpAt: iso(r.taken_up_at),
  declinedAt: iso(r.declined_at),
  createdBy: r.created_by,
  updatedAt: r.updated_at.toISOString(),
});
export type Referral = ReturnType<typeof toReferral>;

export async function listReferrals(db: Db, programmeId: string, contactId: string): Promise<Referral[]> {
  const rows = await referralQuery(db)
    .where('r.contact_id', '=', contactId)
    .where('r.programme_id', '=', programmeId)
    .orderBy('r.proposed_at')
    .orderBy('r.id')
    .execute();
  return rows.map(toReferral);
}

export interface NewReferral {
  programmeId: string;
  contactId: string;
  serviceId: string;
  conversationId?: string;
  status: 'proposed' | 'accepted';
  followUpAt?: Date;
  createdBy: string;
}

/**
 * Refers a reached contact (the caller checked it is workable and locked it) to an active service
 * of the programme's project. With `followUpAt`, schedules the follow-up call in the same change.
 */
export async function createReferral(tx: Tx, audit: Audit, q: NewReferral): Promise<Referral> {
  const contact = await tx
    .selectFrom('contacts')
    .select(['reached_at', 'status'])
    .where('id', '=', q.contactId)
    .where('programme_id', '=', q.programmeId)
    .executeTakeFirstOrThrow();
  if (!contact.reached_at) throw problems.conflict('not_reached');
  if (q.followUpAt && contact.status === 'closed') throw problems.conflict('contact_closed');
  const projectId = await projectOf(tx, q.programmeId);
  const service = await tx
    .selectFrom('services')
    .select(['id', 'kind', 'active'])
    .where('id', '=', q.serviceId)
    .where('project_id', '=', projectId)
    .executeTakeFirst();
  if (!service) throw problems.invalidField('serviceId', 'unknown_reference');
  if (!service.active) throw problems.invalidField('serviceId', 'service_inactive');
  if (q.conversationId) {
    const conversation = await tx
      .selectFrom('conversations')
      .select('id')
      .where('id', '=', q.conversationId)
      .where('contact_id', '=', q.contactId)
      .where('programme_id', '=', q.programmeId)
      .executeTakeFirst();
    if (!conversation) throw problems.invalidField('conversationId', 'conversation_unknown');
  }
  const r = await tx
    .insertInto('service_referrals')
    .values({
      contact_id: q.contactId,
      programme_id: q.programmeId,
      conversation_id: q.conversationId ?? null,
      service_id: service.id,
      service_kind: service.kind,
      status: q.status,
      accepted_at: q.status === 'accepted' ? sql`now()` : null,
      created_by: q.createdBy,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  audit({
    action: 'referral.create',
    recordType: 'service_referral',
    recordId: r.id,
    programmeId: q.programmeId,
    details: { contactId: q.contactId, serviceId: service.id, kind: service.kind, status: q.status },
  });
  if (q.followUpAt) {
    await scheduleFollowUp(tx, audit, { programmeId: q.programmeId, contactId: q.contactId, at: q.followUpAt });
  }
  return toReferral(await referralQuery(tx).where('r.id', '=', r.id).executeTakeFirstOrThrow());
}

/** Moves a referral of the contact to `status` (409 referral_wrong_status for any other move). */
export async function moveReferral(
  tx: Tx,
  audit: Audit,
  q: { programmeId: string; contactId: string; referralId: string; status: ReferralStatus },
): Promise<Referral> {
  const current = await tx
    .selectFrom('service_referrals')
    .select(['id', 'status'])
    .where('id', '=', q.referralId)
    .where('contact_id', '=', q.contactId)
    .where('programme_id', '=', q.programmeId)
    .forUpdate()
    .executeTakeFirst();
  if (!current) throw problems.notFound();
  if (!canMove(current.status, q.status)) throw problems.conflict('referral_wrong_status', { from: current.status, to: q.status });
  await tx
    .updateTable('service_referrals')
    .set({ status: q.status, [STAMP[q.status]]: sql`now()`, updated_at: sql`now()` })
    .where('id', '=', q.referralId)
    .execute();
  audit({
    action: 'referral.update',
    recordType: 'service_referral',
    recordId: q.referralId,
    programmeId: q.programmeId,
    details: { contactId: q.contactId, from: current.status, to: q.status },
  });
  return toReferral(await referralQuery(tx).where('r.id', '=', q.referralId).executeTakeFirstOrThrow());
}

// ---- Follow-up calls --------------------------------------------------------------------------

/** How far ahead a follow-up call may be scheduled. */
export const FOLLOW_UP_MAX_DAYS = 366;

/** The moment must be in the future and within a year; field errors name `field`. */
export function checkFollowUpMoment(at: Date, now: Date, field = 'at'): void {
  if (at.getTime() <= now.getTime()) throw problems.invalidField(field, 'follow_up_in_past');
  if (at.getTime() > now.getTime() + FOLLOW_UP_MAX_DAYS * 86_400_000) throw problems.invalidField(field, 'follow_up_too_far', { days: FOLLOW_UP_MAX_DAYS });
}

export interface FollowUp {
  contactId: string;
  followUpAt: string | null;
  nextDueAt: string | null;
}

/**
 * Schedules a follow-up call on an open contact (the caller locked it): the contact stays open and
 * comes back to the worklist when `at` is due (next_due_at = follow_up_at = at).
 */
export async function scheduleFollowUp(tx: Tx, audit: Audit, q: { programmeId: string; contactId: string; at: Date }): Promise<FollowUp> {
  const r = await tx
    .updateTable('contacts')
    .set({ follow_up_at: q.at, next_due_at: q.at })
    .where('id', '=', q.contactId)
    .where('programme_id', '=', q.programmeId)
    .where('status', '=', 'open')
    .returning(['id', 'follow_up_at', 'next_due_at'])
    .executeTakeFirst();
  if (!r) throw problems.conflict('contact_closed');
  audit({ action: 'contact.follow_up', recordType: 'contact', recordId: q.contactId, programmeId: q.programmeId, details: { at: q.at.toISOString() } });
  return { contactId: r.id, followUpAt: iso(r.follow_up_at), nextDueAt: iso(r.next_due_at) };
}

/**
 * Cancels the pending follow-up call. When the contact was due because of it, it becomes due now
 * (next_due_at NULL), for the caller to decide; a due time set otherwise is left alone.
 */
export async function clearFollowUp(tx: Tx, audit: Audit, q: { programmeId: string; contactId: string }): Promise<FollowUp> {
  const r = await tx
    .updateTable('contacts')
    .set({
      follow_up_at: null,
      next_due_at: sql`CASE WHEN next_due_at = follow_up_at THEN NULL ELSE next_due_at END`,
    })
    .where('id', '=', q.contactId)
    .where('programme_id', '=', q.programmeId)
    .where('status', '=', 'open')
    .returning(['id', 'follow_up_at', 'next_due_at'])
    .executeTakeFirst();
  if (!r) throw problems.conflict('contact_closed');
  audit({ action: 'contact.follow_up_clear', recordType: 'contact', recordId: q.contactId, programmeId: q.programmeId });
  return { contactId: r.id, followUpAt: iso(r.follow_up_at), nextDueAt: iso(r.next_due_at) };
}
