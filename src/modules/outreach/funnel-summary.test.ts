/**
 * The funnel reads where a contact's conversations, referrals and escalations stand from columns
 * on the contact (and each attempt's cohort from attempts.contact_received_at), kept by the
 * triggers of migration 202612020001. If a trigger missed a case, the funnel would count a contact
 * on the wrong line without any error: so random sequences of writes (inserts, status changes,
 * moves to another contact, deletes) are checked against the same facts recomputed from the rows.
 */
import fc from 'fast-check';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Db } from '../../kernel/db/database.ts';
import type { TestServer } from '../../testing/server.ts';
import { testServer } from '../../testing/server.ts';
import { seedContact } from '../referrals/testing.ts';
import { buildFunnelWorld, type FunnelWorld } from './funnel.fixture.ts';

let s: TestServer;
let world: FunnelWorld;
let contactIds: string[];
let scenarioId: string;

beforeAll(async () => {
  s = await testServer();
  world = await buildFunnelWorld(s.database.db, s.keys);
  contactIds = [];
  for (let i = 0; i < 3; i++) contactIds.push((await seedContact(s.database.db, s.keys, { programmeId: world.programmeId })).contactId);
  scenarioId = (await s.database.db.selectFrom('scenarios').select('id').where('programme_id', '=', world.programmeId).executeTakeFirstOrThrow()).id;
});
afterAll(() => s?.close());

type Op =
  | { t: 'conversation'; contact: number; status: 'in_progress' | 'held' | 'refused' }
  | { t: 'conversation_status'; pick: number; status: 'in_progress' | 'held' | 'refused' }
  | { t: 'conversation_move'; pick: number; contact: number }
  | { t: 'conversation_delete'; pick: number }
  | { t: 'referral'; contact: number; kind: 'caw' | 'peer_group' | 'gp' | 'veilig_huis'; status: 'proposed' | 'accepted' | 'taken_up' | 'declined' }
  | { t: 'referral_status'; pick: number; status: 'proposed' | 'accepted' | 'taken_up' | 'declined' }
  | { t: 'referral_delete'; pick: number }
  | { t: 'escalation'; contact: number; minutesAgo: number }
  | { t: 'attempt'; contact: number }
  | { t: 'received'; contact: number; daysAgo: number };

const contact = fc.integer({ min: 0, max: 2 });
const pick = fc.nat();
const talkStatus = fc.constantFrom('in_progress' as const, 'held' as const, 'refused' as const);
const referralStatus = fc.constantFrom('proposed' as const, 'accepted' as const, 'taken_up' as const, 'declined' as const);
const op: fc.Arbitrary<Op> = fc.oneof(
  fc.record({ t: fc.constant('conversation' as const), contact, status: talkStatus }),
  fc.record({ t: fc.constant('conversation_status' as const), pick, status: talkStatus }),
  fc.record({ t: fc.constant('conversation_move' as const), pick, contact }),
  fc.record({ t: fc.constant('conversation_delete' as const), pick }),
  fc.record({
    t: fc.constant('referral' as const),
    contact,
    kind: fc.constantFrom('caw' as const, 'peer_group' as const, 'gp' as const, 'veilig_huis' as const),
    status: referralStatus,
  }),
  fc.record({ t: fc.constant('referral_status' as const), pick, status: referralStatus }),
  fc.record({ t: fc.constant('referral_delete' as const), pick }),
  fc.record({ t: fc.constant('escalation' as const), contact, minutesAgo: fc.integer({ min: 0, max: 10_000 }) }),
  fc.record({ t: fc.constant('attempt' as const), contact }),
  fc.record({ t: fc.constant('received' as const), contact, daysAgo: fc.integer({ min: 0, max: 400 }) }),
);

async function idAt(db: Db, table: 'conversations' | 'service_referrals', ids: string[], n: number): Promise<string | null> {
  const rows = await db.selectFrom(table).select('id').where('contact_id', 'in', ids).orderBy('id').execute();
  return rows[n % Math.max(rows.length, 1)]?.id ?? null;
}

function nth(ids: string[], i: number): string {
  const id = ids[i];
  if (!id) throw new Error(`no contact ${i}`);
  return id;
}

async function apply(db: Db, o: Op, ids: string[]): Promise<void> {
  const p = world.programmeId;
  switch (o.t) {
    case 'conversation':
      await db
        .insertInto('conversations')
        .values({ contact_id: nth(ids, o.contact), programme_id: p, scenario_id: scenarioId, status: o.status, answers: '{}' })
        .execute();
      return;
    case 'conversation_status':
    case 'conversation_move':
    case 'conversation_delete': {
      const id = await idAt(db, 'conversations', ids, o.pick);
      if (!id) return;
      if (o.t === 'conversation_delete') await db.deleteFrom('conversations').where('id', '=', id).execute();
      else if (o.t === 'conversation_move')
        await db
          .updateTable('conversations')
          .set({ contact_id: nth(ids, o.contact) })
          .where('id', '=', id)
          .execute();
      else await db.updateTable('conversations').set({ status: o.status }).where('id', '=', id).execute();
      return;
    }
    case 'referral':
      await db
        .insertInto('service_referrals')
        .values({ contact_id: nth(ids, o.contact), programme_id: p, service_id: world.services[o.kind], service_kind: o.kind, status: o.status })
        .execute();
      return;
    case 'referral_status':
    case 'referral_delete': {
      const id = await idAt(db, 'service_referrals', ids, o.pick);
      if (!id) return;
      if (o.t === 'referral_delete') await db.deleteFrom('service_referrals').where('id', '=', id).execute();
      else await db.updateTable('service_referrals').set({ status: o.status }).where('id', '=', id).execute();
      return;
    }
    case 'escalation':
      await db
        .insertInto('escalations')
        .values({
          contact_id: nth(ids, o.contact),
          programme_id: p,
          raised_at: sql`now() - make_interval(mins => ${o.minutesAgo})`,
          recipient: 'veilig_huis',
          urgency: 'today',
          colour: 'orange',
          reasons: ['caller_judgment'],
        })
        .execute();
      return;
    case 'attempt':
      await db
        .insertInto('attempts')
        .values({
          contact_id: nth(ids, o.contact),
          programme_id: p,
          attempt_no: sql<number>`(SELECT coalesce(max(attempt_no), 0) + 1 FROM attempts WHERE contact_id = ${nth(ids, o.contact)})`,
          at: new Date(),
          local_day: '2026-01-01',
          part_of_day: 'morning',
          channel: 'phone',
          outcome: 'no_answer',
        })
        .execute();
      return;
    case 'received':
      await db
        .updateTable('contacts')
        .set({ received_at: sql`now() - make_interval(days => ${o.daysAgo})` })
        .where('id', '=', nth(ids, o.contact))
        .execute();
      return;
  }
}

/** The summary of each contact as the triggers left it, and as the rows say it should be. */
async function summaries(db: Db, ids: string[]) {
  const { rows } = await sql<{ id: string; kept: string; truth: string }>`
    SELECT c.id,
      json_build_array(c.talk, c.referred_kinds, c.taken_up, c.escalated_at)::text AS kept,
      json_build_array(
        (SELECT CASE WHEN bool_or(v.status = 'held') THEN 'held' WHEN bool_or(v.status = 'refused') THEN 'refused' END
           FROM conversations v WHERE v.contact_id = c.id),
        (SELECT array_agg(DISTINCT r.service_kind ORDER BY r.service_kind) FILTER (WHERE r.status <> 'declined')
           FROM service_referrals r WHERE r.contact_id = c.id),
        (SELECT coalesce(bool_or(r.status = 'taken_up'), false) FROM service_referrals r WHERE r.contact_id = c.id),
        (SELECT min(e.raised_at) FROM escalations e WHERE e.contact_id = c.id))::text AS truth
    FROM contacts c WHERE c.id IN (${sql.join(ids)}) ORDER BY c.id`.execute(db);
  const attempts = await db
    .selectFrom('attempts as a')
    .innerJoin('contacts as c', 'c.id', 'a.contact_id')
    .select(['a.id', 'a.contact_received_at', 'c.received_at'])
    .where('a.contact_id', 'in', ids)
    .execute();
  return { rows, attempts };
}

describe('the funnel summary kept on contacts', () => {
  it('always equals what the conversations, referrals, escalations and contacts say, whatever is written', async () => {
    const db = s.database.db;
    await fc.assert(
      fc.asyncProperty(fc.array(op, { minLength: 1, maxLength: 12 }), async (ops) => {
        // Fresh contacts per run, so earlier runs' rows never mask a missed update.
        const ids: string[] = [];
        for (let i = 0; i < 3; i++) ids.push((await seedContact(db, s.keys, { programmeId: world.programmeId })).contactId);
        for (const o of ops) await apply(db, o, ids);
        const { rows, attempts } = await summaries(db, ids);
        for (const r of rows) expect(r.kept, JSON.stringify(ops)).toBe(r.truth);
        for (const a of attempts) expect(new Date(a.contact_received_at).getTime()).toBe(new Date(a.received_at).getTime());
      }),
      { numRuns: 40 },
    );
  });

  it('starts from nothing on a new contact: no talk, no referral, not taken up, not escalated', async () => {
    const { rows } = await summaries(s.database.db, contactIds);
    for (const r of rows) expect(JSON.parse(r.kept)).toEqual([null, null, false, null]);
  });
});
