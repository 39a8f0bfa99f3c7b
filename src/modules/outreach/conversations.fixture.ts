/**
 * Test helpers for conversations, scenarios and escalations: records inserted directly, so that a
 * test starts from the state it checks. A reached contact is made by setting `reached_at` (and
 * `assigned_to`, so that the caller may work it) on a seeded contact, as the attempts route does
 * when an attempt reaches the person; the attempts API has its own tests.
 */
import { sql } from 'kysely';
import type { Db } from '../../kernel/db/database.ts';
import type { KeyRing } from '../../kernel/vault/keyring.ts';
import { seedContact } from '../referrals/testing.ts';
import { DEFAULT_SCENARIO_KEY } from './default-scenario.ts';
import { ensureDefaultScenario } from './scenarios.ts';

/** A contact of the programme, reached, assigned to `assignedTo` (a caller) when given. */
export async function reachedContact(db: Db, keys: KeyRing, q: { programmeId: string; protocolId?: string | null; assignedTo?: string | null }) {
  const seeded = await seedContact(db, keys, { programmeId: q.programmeId, protocolId: q.protocolId ?? null });
  await db
    .updateTable('contacts')
    .set({ reached_at: sql`now()`, attempt_count: 1, last_attempt_at: sql`now()`, assigned_to: q.assignedTo ?? null })
    .where('id', '=', seeded.contactId)
    .execute();
  return seeded;
}

/** The id of the default scenario shipped with Haven (stored first if need be). */
export async function defaultScenarioId(db: Db): Promise<string> {
  await ensureDefaultScenario(db);
  const row = await db
    .selectFrom('scenarios')
    .select('id')
    .where('programme_id', 'is', null)
    .where('key', '=', DEFAULT_SCENARIO_KEY)
    .where('status', '=', 'published')
    .executeTakeFirstOrThrow();
  return row.id;
}

/** A conversation in progress with a reached contact, held by `callerId`, under the default scenario. */
export async function seedConversation(db: Db, keys: KeyRing, q: { programmeId: string; protocolId?: string | null; callerId: string | null }) {
  const contact = await reachedContact(db, keys, { programmeId: q.programmeId, protocolId: q.protocolId, assignedTo: q.callerId });
  const row = await db
    .insertInto('conversations')
    .values({
      contact_id: contact.contactId,
      programme_id: q.programmeId,
      attempt_id: null,
      scenario_id: await defaultScenarioId(db),
      caller_id: q.callerId,
      status: 'in_progress',
      answers: '{}',
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  return { ...contact, conversationId: row.id };
}

/** An open (unacknowledged) escalation of a fresh contact, raised by `raisedBy`. */
export async function seedEscalation(db: Db, keys: KeyRing, q: { programmeId: string; protocolId?: string | null; raisedBy: string | null }) {
  const contact = await reachedContact(db, keys, { programmeId: q.programmeId, protocolId: q.protocolId });
  const row = await db
    .insertInto('escalations')
    .values({
      contact_id: contact.contactId,
      programme_id: q.programmeId,
      conversation_id: null,
      raised_by: q.raisedBy,
      recipient: 'veilig_huis',
      urgency: 'today',
      colour: 'orange',
      reasons: ['caller_judgment'],
      note: null,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  return { ...contact, escalationId: row.id };
}

/** The programme's draft scenario: the existing one, or a copy of the default as the next version. */
export async function draftScenario(db: Db, programmeId: string, createdBy: string | null = null): Promise<string> {
  const existing = await db.selectFrom('scenarios').select('id').where('programme_id', '=', programmeId).where('status', '=', 'draft').executeTakeFirst();
  if (existing) return existing.id;
  const source = await db
    .selectFrom('scenarios')
    .select('definition')
    .where('id', '=', await defaultScenarioId(db))
    .executeTakeFirstOrThrow();
  const last = await db
    .selectFrom('scenarios')
    .select(sql<number>`coalesce(max(version), 0)::int`.as('v'))
    .where('programme_id', '=', programmeId)
    .executeTakeFirstOrThrow();
  const row = await db
    .insertInto('scenarios')
    .values({
      programme_id: programmeId,
      key: DEFAULT_SCENARIO_KEY,
      version: Number(last.v) + 1,
      status: 'draft',
      definition: JSON.stringify(source.definition),
      created_by: createdBy,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  return row.id;
}
