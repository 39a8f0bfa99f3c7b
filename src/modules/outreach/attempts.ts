/**
 * Attempts to reach a contact (domain.md, pillar 1, step 4) and what each one changes, in one
 * transaction with its audit event:
 * - every attempt gets the next attempt_no of the contact (all channels are numbered together) and
 *   raises attempt_count; the Brussels day and part of the day are kept with it;
 * - until the contact is reached, a phone attempt must keep the programme's rule (rules.ts): a
 *   refusal is 422 on field `at` (same_day, same_part_of_day, max_attempts). A text message or a
 *   letter (outcome `sent`) does not count towards the phone maximum;
 * - `reached` sets reached_at: the conversation comes next, the caller keeps the contact;
 * - `someone_else` marks the contact's safety: from then on the card says to end the call without
 *   saying why;
 * - `not_in_service` / `wrong_person`: each such attempt is taken to use up one of the contact's
 *   numbers (mobile, landline); when none is left the contact closes as `not_informed`. A contact
 *   with one number closes at once. Counting the numbers opens the identity (audited, purpose
 *   `outreach_number_check`);
 * - after the last failed phone attempt the rule allows, the contact closes as `unreachable`;
 * - otherwise a failed phone attempt sets next_due_at to the rule's next slot and gives the
 *   contact back to the pool (the lease ends; an assignment stays).
 * After the contact was reached, phone calls are follow-up calls: recorded, never limited by the
 * rule, never closing the contact.
 */
import type { Db } from '../../kernel/db/database.ts';
import type { Audit, Tx } from '../../kernel/http/context.ts';
import { Problem, problems } from '../../kernel/http/problem.ts';
import type { KeyRing } from '../../kernel/vault/keyring.ts';
import { readContactIdentity } from '../referrals/vault.ts';
import { type AttemptRefusal, type AttemptRule, checkAttempt, type EarlierAttempt, exhausted, localDay, nextDue, partOfDay } from './rules.ts';
import { markSomeoneElseAnswered } from './safety.ts';
import type { AttemptChannel, AttemptOutcome, ContactOutcome } from './schema.ts';
import { outreachContext } from './sealed.ts';
import { type ClosingState, closeOutreachContact, extendLease } from './worklist.ts';

/** Outcomes that say the number cannot be used to reach this person. */
export const UNUSABLE_NUMBER: readonly AttemptOutcome[] = ['not_in_service', 'wrong_person'];
/** Outcomes of a phone attempt that did not reach the person. */
const PHONE_OUTCOMES: readonly AttemptOutcome[] = [
  'no_answer',
  'voicemail_not_left',
  'voicemail_neutral',
  'busy',
  'not_in_service',
  'wrong_person',
  'someone_else',
  'reached',
];

/** Field error keys of the rule, named here so the catalogue check finds them. */
const RULE_KEYS: Record<AttemptRefusal, string> = {
  same_day: 'errors:field.same_day',
  same_part_of_day: 'errors:field.same_part_of_day',
  max_attempts: 'errors:field.max_attempts',
};

/** A clock a little ahead of the server's is not the future. */
const SKEW_MS = 60_000;

/** The earlier phone attempts of a contact, oldest first: what the rule compares. */
export async function phoneAttempts(db: Db | Tx, contactId: string): Promise<EarlierAttempt[]> {
  const rows = await db
    .selectFrom('attempts')
    .select(['local_day', 'part_of_day'])
    .where('contact_id', '=', contactId)
    .where('channel', '=', 'phone')
    .orderBy('attempt_no')
    .execute();
  return rows.map((r) => ({ localDay: r.local_day, partOfDay: r.part_of_day }));
}

export interface AttemptInput {
  programmeId: string;
  contactId: string;
  userId: string;
  channel: AttemptChannel;
  outcome: AttemptOutcome;
  note?: string | undefined;
  /** when it happened; defaults to now */
  at?: Date | undefined;
}

const DAY_MS = 24 * 3600 * 1000;

export interface AttemptResult {
  attemptId: string;
  attemptNo: number;
  /** the outcome the contact closed with, when this attempt closed it */
  closedAs: ContactOutcome | null;
}

/** Records one attempt on a contact the caller may work (locked by openWorkableContact). */
export async function recordAttempt(tx: Tx, keys: KeyRing, audit: Audit, rule: AttemptRule, q: AttemptInput): Promise<AttemptResult> {
  const now = new Date();
  const at = q.at ?? now;
  if (at.getTime() > now.getTime() + SKEW_MS) throw problems.invalidField('at', 'attempt_in_future');
  if (localDay(at) !== localDay(now)) throw problems.invalidField('at', 'attempt_not_today');
  const isPhone = q.channel === 'phone';
  if (isPhone ? !PHONE_OUTCOMES.includes(q.outcome) : q.outcome !== 'sent') throw problems.invalidField('outcome', 'outcome_not_for_channel');

  const contact = await tx
    .selectFrom('contacts')
    .select(['id', 'person_hash', 'attempt_count', 'reached_at', 'has_phone', 'follow_up_at'])
    .where('id', '=', q.contactId)
    .executeTakeFirstOrThrow();
  if (isPhone && !contact.has_phone) throw problems.conflict('no_phone');
  const reached = contact.reached_at !== null;
  const earlier = await phoneAttempts(tx, q.contactId);
  if (isPhone && !reached) {
    const check = checkAttempt(earlier, at, rule);
    if (!check.ok) throw new Problem(422, 'attempt_rule', { fieldErrors: [{ field: 'at', code: check.reason, key: RULE_KEYS[check.reason] }] });
  }

  const attemptNo = contact.attempt_count + 1;
  const attempt = await tx
    .insertInto('attempts')
    .values({
      contact_id: q.contactId,
      programme_id: q.programmeId,
      attempt_no: attemptNo,
      caller_id: q.userId,
      at,
      local_day: localDay(at),
      part_of_day: partOfDay(at),
      channel: q.channel,
      outcome: q.outcome,
      note: q.note ? keys.seal(q.note, outreachContext('attempts.note', contact.person_hash)) : null,
    })
    .returning('id')
    .executeTakeFirstOrThrow();

  // What the attempt changes on the contact, written in one UPDATE below (this is the callers' hot path).
  const change: { reached_at?: Date; next_due_at?: Date | null; follow_up_at?: Date | null; lease_holder?: null; lease_until?: null } = {};
  let closedAs: ContactOutcome | null = null;
  let release = false;
  if (isPhone && !reached) {
    if (q.outcome === 'reached') {
      change.reached_at = at;
      change.next_due_at = null;
    } else {
      if (q.outcome === 'someone_else') await markSomeoneElseAnswered(tx, { contactId: q.contactId, userId: q.userId });
      const all = [...earlier, { localDay: localDay(at), partOfDay: partOfDay(at) }];
      if (UNUSABLE_NUMBER.includes(q.outcome) && (await numbersLeft(tx, keys, audit, q.contactId)) === 0) closedAs = 'not_informed';
      else if (exhausted(all, rule)) closedAs = 'unreachable';
      else {
        const safe = await tx.selectFrom('contact_safety').select('safe_parts').where('contact_id', '=', q.contactId).executeTakeFirst();
        change.next_due_at = nextDue(all, rule, at.getTime() > now.getTime() ? at : now, { safeParts: safe?.safe_parts ?? [] })?.at ?? null;
        release = true;
      }
    }
  }
  // The follow-up call of a reached contact: answered, it is done (the caller closes the contact
  // or schedules another); not answered, it moves one day on, so that the contact leaves the head
  // of the worklist instead of staying first for ever.
  let followUp: Date | null | undefined; // undefined: unchanged
  if (isPhone && reached && contact.follow_up_at && new Date(contact.follow_up_at).getTime() <= Math.max(at.getTime(), now.getTime())) {
    followUp = q.outcome === 'reached' ? null : new Date(Math.max(at.getTime(), now.getTime()) + DAY_MS);
    change.follow_up_at = followUp;
    change.next_due_at = followUp;
    if (followUp) release = true;
  }
  // A failed attempt gives the contact back to the pool (closing clears the lease too).
  if (release && !closedAs) Object.assign(change, { lease_holder: null, lease_until: null });
  await tx
    .updateTable('contacts')
    .set((eb) => ({
      ...change,
      attempt_count: attemptNo,
      last_attempt_at: eb.fn('greatest', [eb.fn.coalesce('last_attempt_at', eb.val(at)), eb.val(at)]),
    }))
    .where('id', '=', q.contactId)
    .execute();
  audit({
    action: 'attempt.record',
    recordType: 'contact',
    recordId: q.contactId,
    programmeId: q.programmeId,
    details: {
      attemptId: attempt.id,
      attemptNo,
      channel: q.channel,
      outcome: q.outcome,
      ...(closedAs ? { closedAs } : {}),
      ...(followUp !== undefined ? { followUpAt: followUp?.toISOString() ?? null } : {}),
    },
  });
  if (closedAs) await closeOutreachContact(tx, audit, { programmeId: q.programmeId, contactId: q.contactId, outcome: closedAs, userId: q.userId });
  else if (!release) await extendLease(tx, { programmeId: q.programmeId, contactId: q.contactId, userId: q.userId });
  return { attemptId: attempt.id, attemptNo, closedAs };
}

/** The contact's numbers (mobile, landline) not yet found unusable by an attempt. */
async function numbersLeft(tx: Tx, keys: KeyRing, audit: Audit, contactId: string): Promise<number> {
  const { identity } = await readContactIdentity(tx, keys, async (e) => audit(e), contactId, 'outreach_number_check');
  const numbers = new Set([identity.mobile, identity.phone].filter((n): n is string => !!n)).size;
  const unusable = await tx
    .selectFrom('attempts')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('contact_id', '=', contactId)
    .where('channel', '=', 'phone')
    .where('outcome', 'in', UNUSABLE_NUMBER)
    .executeTakeFirstOrThrow();
  return Math.max(0, numbers - Number(unusable.n));
}

/** The attempts of a contact, oldest first, with their notes opened. */
export async function listAttempts(db: Db, keys: KeyRing, contact: { id: string; person_hash: string }) {
  const rows = await db
    .selectFrom('attempts as a')
    .leftJoin('users as u', 'u.id', 'a.caller_id')
    .select(['a.id', 'a.attempt_no', 'a.at', 'a.local_day', 'a.part_of_day', 'a.channel', 'a.outcome', 'a.note', 'a.caller_id', 'u.display_name'])
    .where('a.contact_id', '=', contact.id)
    .orderBy('a.attempt_no')
    .execute();
  return rows.map((r) => ({
    id: r.id,
    attemptNo: r.attempt_no,
    at: new Date(r.at).toISOString(),
    localDay: r.local_day,
    partOfDay: r.part_of_day,
    channel: r.channel,
    outcome: r.outcome,
    note: r.note ? keys.open(r.note, outreachContext('attempts.note', contact.person_hash)) : null,
    caller: r.caller_id ? { id: r.caller_id, displayName: r.display_name ?? '' } : null,
  }));
}
export type AttemptView = Awaited<ReturnType<typeof listAttempts>>[number];

/** What decides the outcomes a contact may close with now. */
export async function closingStateOf(db: Db | Tx, contactId: string, rule: AttemptRule): Promise<ClosingState> {
  const contact = await db.selectFrom('contacts').select(['reached_at', 'has_phone']).where('id', '=', contactId).executeTakeFirstOrThrow();
  const rows = await db
    .selectFrom('attempts')
    .select(['channel', 'outcome', 'local_day', 'part_of_day'])
    .where('contact_id', '=', contactId)
    .orderBy('attempt_no')
    .execute();
  const phone = rows.filter((r) => r.channel === 'phone').map((r) => ({ localDay: r.local_day, partOfDay: r.part_of_day }));
  return {
    reached: contact.reached_at !== null,
    hasPhone: contact.has_phone,
    unusableNumber: rows.some((r) => r.channel === 'phone' && UNUSABLE_NUMBER.includes(r.outcome)),
    letterSent: rows.some((r) => r.channel !== 'phone' && r.outcome === 'sent'),
    attemptsExhausted: exhausted(phone, rule),
  };
}
