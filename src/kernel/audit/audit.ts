import { createHash } from 'node:crypto';
import type { Transaction } from 'kysely';
import type { Database, Db } from '../db/database.ts';

/** `area.verb`, e.g. `user.created`, `auth.login_failed`, `identity.read`. Labels live in the audit catalogue. */
export type AuditAction = `${string}.${string}`;
export type AuditOutcome = 'success' | 'failure' | 'denied';

export interface AuditActor {
  userId: string | null;
  organisationId: string | null;
  /** The role(s) the actor acted in, e.g. `administrator` or `coordinator@programme-slug`. */
  role: string | null;
  requestId: string | null;
  ip: string | null;
}

export interface AuditEvent {
  action: AuditAction;
  outcome?: AuditOutcome;
  recordType?: string;
  recordId?: string;
  programmeId?: string;
  purpose?: string;
  details?: Record<string, unknown>;
}

export const SYSTEM_ACTOR: AuditActor = { userId: null, organisationId: null, role: 'system', requestId: null, ip: null };

const GENESIS = '0'.repeat(64);

/** JSON with object keys sorted at every depth: the same value always gives the same text. */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value ?? null);
  if (value instanceof Date) return JSON.stringify(value.toISOString());
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  const entries = Object.entries(value as Record<string, unknown>)
    .filter(([, v]) => v !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
}

interface ChainFields {
  seq: number;
  at: Date;
  actor_user_id: string | null;
  actor_organisation_id: string | null;
  actor_role: string | null;
  action: string;
  record_type: string | null;
  record_id: string | null;
  programme_id: string | null;
  outcome: string;
  request_id: string | null;
  purpose: string | null;
  ip: string | null;
  details: unknown;
  prev_hash: string;
}

/** The row's hash: sha256 of the canonical JSON array [seq, …the body…, prev_hash] (see `auditBody`). */
export function hashAuditRow(r: ChainFields): string {
  const text = `[${canonicalJson(r.seq)},${auditBody(r)},${canonicalJson(r.prev_hash)}]`;
  return createHash('sha256').update(text).digest('hex');
}

/** The fields of a chained row that the hash covers, in hash order, between `seq` and `prev_hash`. */
type BodyFields = Omit<ChainFields, 'seq' | 'prev_hash'>;

/**
 * The canonical text of everything the hash covers but the sequence number and the previous hash:
 * the inside of the array `hashAuditRow` hashes, so that `[seq,<body>,"prev_hash"]` is that array's
 * text. The database links the chain with it at commit (migration 202612020002).
 */
export function auditBody(r: BodyFields): string {
  const text = canonicalJson([
    r.at.toISOString(),
    r.actor_user_id,
    r.actor_organisation_id,
    r.actor_role,
    r.action,
    r.record_type,
    r.record_id,
    r.programme_id,
    r.outcome,
    r.request_id,
    r.purpose,
    r.ip,
    r.details,
  ]);
  return text.slice(1, -1);
}

/**
 * Appends events to the chain, in the caller's transaction: they commit or roll back with what
 * they record. The events go to `audit_pending`; a deferred trigger links them into the chain when
 * the transaction commits (number, previous hash, hash; migration 202612020002), holding the
 * chain's head only inside the commit. Writers of different users therefore never wait for each
 * other's round trips, and the chain still has no fork and no gap (a rolled-back transaction
 * numbers nothing).
 */
export async function appendAudit(tx: Transaction<Database>, actor: AuditActor, events: AuditEvent[]): Promise<void> {
  if (events.length === 0) return;
  const at = new Date();
  const rows = events.map((e) => {
    const fields: BodyFields = {
      at,
      actor_user_id: actor.userId,
      actor_organisation_id: actor.organisationId,
      actor_role: actor.role,
      action: e.action,
      record_type: e.recordType ?? null,
      record_id: e.recordId ?? null,
      programme_id: e.programmeId ?? null,
      outcome: e.outcome ?? 'success',
      request_id: actor.requestId,
      purpose: e.purpose ?? null,
      ip: actor.ip,
      // Round-trip through JSON so the hashed value is exactly what jsonb will give back.
      details: JSON.parse(canonicalJson(e.details ?? {})),
    };
    return { ...fields, outcome: fields.outcome as AuditOutcome, details: canonicalJson(fields.details), body: auditBody(fields) };
  });
  await tx.insertInto('audit_pending').values(rows).execute();
}

/** Writes audit events in a transaction of their own (logins, refusals, reads). */
export async function recordAudit(db: Db, actor: AuditActor, events: AuditEvent[]): Promise<void> {
  await db.transaction().execute((tx) => appendAudit(tx, actor, events));
}

export interface VerifyResult {
  ok: boolean;
  checked: number;
  lastSeq: number;
  lastHash: string;
  broken?: { seq: number; reason: 'altered' | 'missing' | 'out_of_chain' | 'tail_missing' };
}

/** Walks the whole chain in seq order and names the first row that does not hold. */
export async function verifyAudit(db: Db, batchSize = 5000): Promise<VerifyResult> {
  let expectedSeq = 1;
  let prev = GENESIS;
  let checked = 0;
  for (;;) {
    const rows = await db.selectFrom('audit_events').selectAll().where('seq', '>=', expectedSeq).orderBy('seq').limit(batchSize).execute();
    for (const r of rows) {
      if (r.seq !== expectedSeq) {
        return { ok: false, checked, lastSeq: expectedSeq - 1, lastHash: prev, broken: { seq: expectedSeq, reason: 'missing' } };
      }
      if (r.prev_hash !== prev) {
        return { ok: false, checked, lastSeq: r.seq - 1, lastHash: prev, broken: { seq: r.seq, reason: 'out_of_chain' } };
      }
      const at = r.at instanceof Date ? r.at : new Date(r.at);
      if (hashAuditRow({ ...r, at }) !== r.hash) {
        return { ok: false, checked, lastSeq: r.seq - 1, lastHash: prev, broken: { seq: r.seq, reason: 'altered' } };
      }
      prev = r.hash;
      expectedSeq += 1;
      checked += 1;
    }
    if (rows.length < batchSize) break;
  }
  const head = await db.selectFrom('audit_head').select(['last_seq', 'last_hash']).where('id', '=', 1).executeTakeFirst();
  const last = expectedSeq - 1;
  if (!head || head.last_seq !== last || head.last_hash !== prev) {
    // Rows missing after the last one (the head remembers more), a row beyond the head (added
    // behind the chain's back), or a last row that is not the one the head remembers.
    const broken: NonNullable<VerifyResult['broken']> =
      !head || head.last_seq > last
        ? { seq: expectedSeq, reason: 'tail_missing' }
        : head.last_seq < last
          ? { seq: head.last_seq + 1, reason: 'out_of_chain' }
          : { seq: last, reason: 'altered' };
    return { ok: false, checked, lastSeq: last, lastHash: prev, broken };
  }
  return { ok: true, checked, lastSeq: expectedSeq - 1, lastHash: prev };
}
