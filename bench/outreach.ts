/**
 * Outreach benchmark (issue 4, Performance): a programme with 1,000,000 contacts in ~500,000
 * dossiers and ~3,000,000 attempts, generated on the database with set-based SQL; then, against a
 * running `haven serve`:
 *   (a) 32 callers, each signed in with an account of their own, looping claim → record an attempt
 *       (no answer, or reached) for S seconds: claims/s, claim and attempt latency, and proof that no
 *       contact was given to two callers at once (every claim answer is kept with its times and
 *       checked for overlapping holds; afterwards the database is checked for a contact attempted
 *       by two callers within one lease);
 *   (b) the funnel of one year over all municipalities through the API, repeated, beside the
 *       funnel's own SQL (captured from computeFunnel, sent straight through the driver) and the
 *       simplest count of the same contacts by outcome, measured in the same run;
 *   (c) the same on PGlite, with 100,000 contacts by default (one connection: the 32 callers queue).
 * After the looping run, the same callers are paced at shares of the claims/s it reached (--paced,
 * default half and an eighth): the latency a caller meets when the server is busy but not
 * saturated. On a throwaway PostgreSQL cluster, pg_stat_statements and 50 ms samples of what the
 * active backends wait on show where the looping run's time goes.
 *
 *   node bench/outreach.ts [--engine pglite|postgres|both] [--contacts N] [--seconds 30] [--warmup 5]
 *                          [--callers 32] [--paced 0.5,0.125] [--funnel-runs 10] [--database-url URL]
 *                          [--json out.json] [--keep]
 *
 * --contacts applies to every engine; without it PostgreSQL gets 1,000,000 and PGlite 100,000.
 * PostgreSQL: as in api-page.ts, a throwaway cluster unless --database-url (or
 * HAVEN_BENCH_DATABASE_URL) names a server where a `haven_bench_*` database may be created.
 *
 * What the generated data looks like: the Genk project's municipalities with their weights,
 * languages of the Carma exports, contacts received over two years, 2 persons per dossier, 2.5 %
 * of dossiers orange or red (out of the flow); contacts older than 73 days are closed like the
 * Genk funnel (about 16 % not informed, 42 % unreachable after three attempts, 40 % reached, of
 * whom 9 % refused), the rest (~10 %) open: new, in progress with 1–2 attempts, follow-up calls
 * pending, reached with the conversation pending. Attempts keep the rule (different days and parts
 * of the day, three at most before the person is reached; follow-up calls after). Contacts past
 * their retention are marked purged, as the daily purge would have left them, and the daily jobs
 * are marked as run today so they do not start in the middle of a measurement. No identity is
 * generated: a claim and an attempt never read one (not informed after an unusable number would,
 * and the callers here only record no answer or reached).
 */
import { spawnSync } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { DummyDriver, Kysely, PostgresAdapter, PostgresIntrospector, PostgresQueryCompiler, sql } from 'kysely';
import pg from 'pg';
import { loadConfig } from '../src/kernel/config.ts';
import { type Database, type Db, openPGlite } from '../src/kernel/db/database.ts';
import { lockDataDir } from '../src/kernel/db/lock.ts';
import type { Tx } from '../src/kernel/http/context.ts';
import { brusselsDay } from '../src/kernel/jobs.ts';
import { hashPassword } from '../src/modules/identity/passwords.ts';
import { newTotpSecret } from '../src/modules/identity/totp.ts';
import { computeFunnel, type ResolvedQuery } from '../src/modules/outreach/funnel.ts';
import { localDay, partOfDay } from '../src/modules/outreach/rules.ts';
import { currentScenario, storeDefaultScenario } from '../src/modules/outreach/scenarios.ts';
import { PARTS_OF_DAY, SERVICE_KINDS } from '../src/modules/outreach/schema.ts';
import { claimNext } from '../src/modules/outreach/worklist.ts';
import { GENK_MUNICIPALITIES } from '../src/modules/referrals/generate.ts';
import { activeProtocol, policeZone } from '../src/modules/referrals/testing.ts';
import { loadModules } from '../src/server/modules.ts';
import { openRuntime } from '../src/server/runtime.ts';
import { type ApiSession, havenEnv, type RunningHaven, signIn, startHaven } from '../test/system/harness.ts';
import { cpuMeter, createBenchDatabase, log, memorySampler, type PgTarget, percentile, throwawayCluster, withChildren } from './lib.ts';

const { values: opts } = parseArgs({
  options: {
    engine: { type: 'string', default: 'both' },
    contacts: { type: 'string' },
    seconds: { type: 'string', default: '30' },
    warmup: { type: 'string', default: '5' },
    callers: { type: 'string', default: '32' },
    'funnel-runs': { type: 'string', default: '10' },
    paced: { type: 'string', default: '0.5,0.125' },
    keep: { type: 'boolean', default: false },
    'database-url': { type: 'string' },
    json: { type: 'string' },
  },
});
const SECONDS = Number(opts.seconds);
const WARMUP = Number(opts.warmup);
const CALLERS = Number(opts.callers);
const FUNNEL_RUNS = Number(opts['funnel-runs']);
/** After the looping run, the callers again at these shares of the claims/s it reached. */
const PACED = (opts.paced as string).split(',').filter(Boolean).map(Number);
const DEFAULT_CONTACTS = { postgres: 1_000_000, pglite: 100_000 } as const;
const PASSWORD = 'bench password, not a secret';
/** Leave the data folder (and a throwaway cluster) behind, to look at the data afterwards. */
const KEEP = opts.keep as boolean;
/** Share of attempts recorded as reached (the rest: no answer). */
const REACHED_SHARE = 0.25;
/** The programme's lease (the default of migration 202612010001). */
const LEASE_MINUTES = 30;

type Engine = 'pglite' | 'postgres';

// ---- Seeding -----------------------------------------------------------------------------------

interface Base {
  programmeId: string;
  accounts: { email: string; password: string; totpSecret: string; id: string }[];
  coordinator: { email: string; password: string; totpSecret: string };
}

/** A project with the Genk municipalities, its outreach programme under Carma's protocol, services, 32 callers and a coordinator. */
async function seedBase(db: Db, sealTotp: (s: string) => string): Promise<Base> {
  const hash = await hashPassword(PASSWORD);
  const org = await db
    .insertInto('organisations')
    .values({ name: 'Veiligheidshuis Limburg', kind: 'safety_house', nis_code: null })
    .returning('id')
    .executeTakeFirstOrThrow();
  const project = await db
    .insertInto('projects')
    .values({ slug: 'bench', name: 'Bench: Hoe gaat het met u?', coordinating_organisation_id: org.id, starts_on: null, ends_on: null })
    .returning('id')
    .executeTakeFirstOrThrow();
  await db
    .insertInto('project_municipalities')
    .values(GENK_MUNICIPALITIES.map((m) => ({ project_id: project.id, nis_code: m.nis as string, name: m.name })))
    .execute();
  const programme = await db
    .insertInto('programmes')
    .values({ project_id: project.id, slug: 'bench-outreach', name: 'Proactieve contactname (bench)', kind: 'outreach' })
    .returning('id')
    .executeTakeFirstOrThrow();
  const zone = await policeZone(db, 'Politiezone Carma');
  await activeProtocol(db, { programmeId: programme.id, senderOrganisationId: zone, receiverOrganisationId: org.id, retentionDays: 365 });
  await db
    .insertInto('services')
    .values(SERVICE_KINDS.filter((k) => k !== 'other').map((kind) => ({ project_id: project.id, name: `Bench ${kind}`, kind, languages: ['nl'] })))
    .execute();
  const make = async (i: number | 'coordinator') => {
    const email = i === 'coordinator' ? 'coordinator@bench.haven.test' : `caller${i}@bench.haven.test`;
    const totpSecret = newTotpSecret();
    const user = await db
      .insertInto('users')
      .values({
        organisation_id: org.id,
        email,
        display_name: i === 'coordinator' ? 'Bench Coordinator' : `Bench Caller ${i}`,
        password_hash: hash,
        locale: 'nl',
        totp_secret: sealTotp(totpSecret),
        totp_enabled_at: new Date(),
        totp_last_step: null,
        deactivated_at: null,
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    await db
      .insertInto('role_assignments')
      .values({ user_id: user.id, role: i === 'coordinator' ? 'coordinator' : 'caller', programme_id: programme.id })
      .execute();
    return { email, password: PASSWORD, totpSecret, id: user.id };
  };
  const accounts = [];
  for (let i = 1; i <= CALLERS; i++) accounts.push(await make(i));
  const coordinator = await make('coordinator');
  return { programmeId: programme.id, accounts, coordinator };
}

/**
 * The contacts, their attempts, conversations, referrals and escalations, in set-based SQL. Every
 * pseudo-random choice is a hash of the row number and a salt (bench_u), so the same N gives the
 * same data. `part` is the part of the day now: contacts in progress used the two others, so that
 * the callers may call them now.
 */
async function generate(db: Db, q: { programmeId: string; contacts: number; callers: string[]; coordinator: string; now: Date; part: number }) {
  const N = q.contacts;
  const D = Math.ceil(N / 2);
  const p = q.programmeId;
  const t0 = q.now;
  const protocol = await db.selectFrom('protocols').select('id').where('programme_id', '=', p).executeTakeFirstOrThrow();
  const scenario = (await currentScenario(db, p)).id;
  const step = async (name: string, query: { execute(db: Db): Promise<unknown> }) => {
    const t = performance.now();
    await query.execute(db);
    log(`  ${name}: ${((performance.now() - t) / 1000).toFixed(1)} s`);
  };
  await step(
    'helpers',
    sql`CREATE FUNCTION bench_u(g bigint, salt bigint) RETURNS double precision LANGUAGE sql IMMUTABLE PARALLEL SAFE
      AS $$ SELECT (hashint8extended(g, salt) & 9007199254740991)::double precision / 9007199254740992 $$`,
  );
  // Ids from a hash, shaped as version-4 UUIDs (the API's parameters accept only those).
  await step(
    'helpers',
    sql`CREATE FUNCTION bench_id(key text) RETURNS uuid LANGUAGE sql IMMUTABLE PARALLEL SAFE
      AS $$ SELECT overlay(overlay(md5(key) placing '4' from 13) placing '8' from 17)::uuid $$`,
  );
  // The moment of attempt n of a contact received on Brussels day rday: before (and at) the reach
  // every second day, in the part (perm + n) mod 3 (distinct days and parts); follow-up calls every
  // ten days after, in the afternoon.
  await step(
    'helpers',
    sql`CREATE FUNCTION bench_at(rday date, g bigint, n int, n_pre int, perm int) RETURNS timestamptz LANGUAGE sql STABLE PARALLEL SAFE
      AS $$ SELECT (CASE WHEN n <= n_pre + 1
        THEN (rday + 2 * n)::timestamp + make_interval(hours => (ARRAY[9, 13, 18])[1 + (perm + n) % 3] + (g % 3)::int, mins => ((g * 7 + n * 13) % 60)::int)
        ELSE (rday + 2 * (n_pre + 1) + 10 * (n - n_pre - 1))::timestamp + make_interval(hours => 14, mins => ((g * 11 + n) % 60)::int)
      END) AT TIME ZONE 'Europe/Brussels' $$`,
  );
  let lo = 0;
  const total = GENK_MUNICIPALITIES.reduce((a, m) => a + m.weight, 0);
  const places = GENK_MUNICIPALITIES.map((m) => {
    const row = sql`(${m.name}, ${m.nis as string}, ${m.postcode}, ${lo / total}::float8, ${(lo + m.weight) / total}::float8)`;
    lo += m.weight;
    return row;
  });
  await step('places', sql`CREATE UNLOGGED TABLE bench_places AS SELECT * FROM (VALUES ${sql.join(places)}) v(name, nis, postcode, lo, hi)`);
  await step(
    `${D} dossiers`,
    sql`INSERT INTO dossiers (id, programme_id, protocol_id, source, pv_hash, colour, police_zone, municipality, nis_code, postcode, relation, minors_present, facts_on, registered_on, received_at)
      SELECT bench_id('d' || d), ${p}, ${protocol.id}, 'import', md5('pv' || d),
        CASE WHEN bench_u(d, 1) < 0.005 THEN 'red' WHEN bench_u(d, 1) < 0.025 THEN 'orange' ELSE 'green' END,
        'CARMA', m.name, m.nis, m.postcode,
        (ARRAY['partner', 'partner', 'ex_partner', 'parent_child', 'child_parent', 'elder_abuse', 'siblings', 'other'])[1 + floor(bench_u(d, 5) * 8)::int],
        bench_u(d, 6) < 0.4,
        (r.received AT TIME ZONE 'Europe/Brussels')::date - (2 + floor(bench_u(d, 4) * 10))::int,
        (r.received AT TIME ZONE 'Europe/Brussels')::date - floor(bench_u(d, 4) * 2)::int,
        r.received
      FROM generate_series(1, ${D}::int) d
      CROSS JOIN LATERAL (SELECT ${t0}::timestamptz - bench_u(d, 3) * interval '730 days' AS received) r
      JOIN bench_places m ON bench_u(d, 2) >= m.lo AND bench_u(d, 2) < m.hi`,
  );
  // The plan of each contact: where it stands, how many attempts of which kind.
  await step(
    `plan of ${N} contacts`,
    sql`CREATE UNLOGGED TABLE bench_plan AS
      SELECT x.*,
        CASE WHEN state IN ('ni_unusable') THEN floor(bench_u(g, 12) * 2)::int
             WHEN state = 'unreachable' THEN 3
             WHEN state = 'letter' THEN 2
             WHEN state = 'trying' THEN 1 + (bench_u(g, 12) < 0.5)::int
             WHEN state IN ('refused', 'escalated', 'held', 'follow_up', 'pending') THEN floor(bench_u(g, 12) * 3)::int
             ELSE 0 END AS n_pre,
        state IN ('refused', 'escalated', 'held', 'follow_up', 'pending') AS reached,
        CASE WHEN state = 'held' THEN 1 + floor(bench_u(g, 15) * 5)::int ELSE 0 END AS n_follow,
        CASE WHEN state = 'trying' THEN ${q.part}::int ELSE floor(bench_u(g, 14) * 3)::int END AS perm
      FROM (
        SELECT g, bench_id('c' || g) AS id, d.id AS dossier_id, d.received_at, (d.received_at AT TIME ZONE 'Europe/Brussels')::date AS rday,
          bench_u(g, 10) < 0.9 AS has_phone,
          CASE WHEN d.colour <> 'green' THEN 'out_of_flow'
               WHEN bench_u(g, 10) >= 0.9 THEN 'ni_nophone'
               WHEN d.received_at < ${t0}::timestamptz - interval '73 days' THEN
                 CASE WHEN bench_u(g, 11) < 0.07 THEN 'ni_unusable'
                      WHEN bench_u(g, 11) < 0.55 THEN 'unreachable'
                      WHEN bench_u(g, 11) < 0.555 THEN 'letter'
                      WHEN bench_u(g, 11) < 0.595 THEN 'refused'
                      WHEN bench_u(g, 11) < 0.599 THEN 'escalated'
                      ELSE 'held' END
               WHEN d.received_at > ${t0}::timestamptz - interval '7 days' OR bench_u(g, 13) < 0.4 THEN 'new'
               WHEN bench_u(g, 13) < 0.85 THEN 'trying'
               WHEN bench_u(g, 13) < 0.93 THEN 'follow_up'
               ELSE 'pending' END AS state
        FROM generate_series(1, ${N}::int) g
        JOIN dossiers d ON d.id = bench_id('d' || ((g + 1) / 2))
      ) x`,
  );
  await step(
    'plan columns',
    sql`CREATE UNLOGGED TABLE bench_plan2 AS
      SELECT b.*,
        n_pre + (state IN ('ni_unusable', 'letter'))::int + reached::int + n_follow AS n_att,
        CASE WHEN reached THEN bench_at(rday, g, n_pre + 1, n_pre, perm) END AS reached_at
      FROM bench_plan b`,
  );
  await step(
    `${N} contacts`,
    sql`INSERT INTO contacts (id, dossier_id, programme_id, person_hash, role, gender, language, birth_year, has_phone, phone_hash, status, outcome,
                              received_at, closed_at, retention_until, assigned_to, attempt_count, last_attempt_at, next_due_at, follow_up_at,
                              reached_at, escalated_at, closed_by)
      SELECT id, dossier_id, ${p}, md5('person' || g), (ARRAY['victim', 'suspect', 'involved'])[1 + floor(bench_u(g, 20) * 3)::int],
        CASE WHEN g % 2 = 0 THEN 'm' ELSE 'f' END,
        (ARRAY['nl', 'nl', 'nl', 'nl', 'nl', 'nl', 'fr', 'en', 'tr', 'tr', 'ar', 'pl', 'it'])[1 + floor(bench_u(g, 21) * 13)::int],
        1940 + floor(bench_u(g, 22) * 65)::int, has_phone, CASE WHEN has_phone THEN md5('phone' || g) END,
        CASE WHEN c.closed_at IS NULL THEN 'open' ELSE 'closed' END, c.outcome,
        received_at, c.closed_at, c.closed_at + make_interval(days => 365),
        CASE WHEN c.closed_at IS NULL AND state <> 'out_of_flow' AND bench_u(g, 23) < 0.1 THEN (${q.callers}::uuid[])[1 + (g % ${q.callers.length}::int)]
             WHEN c.closed_at IS NOT NULL AND n_att > 0 THEN (${q.callers}::uuid[])[1 + (g % ${q.callers.length}::int)] END,
        n_att, CASE WHEN n_att > 0 THEN bench_at(rday, g, n_att, n_pre, perm) END,
        CASE WHEN state = 'trying' THEN ((rday + 2 * n_pre + 1)::timestamp + make_interval(hours => (ARRAY[9, 12, 18])[1 + (perm + n_pre + 1) % 3])) AT TIME ZONE 'Europe/Brussels'
             WHEN state = 'follow_up' THEN reached_at + interval '14 days' END,
        CASE WHEN state = 'follow_up' THEN reached_at + interval '14 days' END,
        reached_at,
        CASE WHEN state = 'escalated' THEN reached_at + interval '12 minutes' END,
        CASE WHEN c.closed_at IS NOT NULL THEN CASE WHEN n_att > 0 THEN (${q.callers}::uuid[])[1 + (g % ${q.callers.length}::int)] ELSE ${q.coordinator}::uuid END END
      FROM bench_plan2
      CROSS JOIN LATERAL (
        SELECT CASE state
                 WHEN 'ni_nophone' THEN received_at + least(interval '2 days', (${t0}::timestamptz - received_at) / 2)
                 WHEN 'ni_unusable' THEN bench_at(rday, g, n_att, n_pre, perm) + interval '2 minutes'
                 WHEN 'unreachable' THEN bench_at(rday, g, n_att, n_pre, perm) + interval '2 minutes'
                 WHEN 'letter' THEN bench_at(rday, g, n_att, n_pre, perm) + interval '5 minutes'
                 WHEN 'refused' THEN reached_at + interval '10 minutes'
                 WHEN 'escalated' THEN reached_at + interval '12 minutes'
                 WHEN 'held' THEN bench_at(rday, g, n_att, n_pre, perm) + interval '10 minutes'
               END AS closed_at,
               CASE state WHEN 'ni_nophone' THEN 'not_informed' WHEN 'ni_unusable' THEN 'not_informed' WHEN 'unreachable' THEN 'unreachable'
                 WHEN 'letter' THEN 'letter_sent' WHEN 'refused' THEN 'refused' WHEN 'escalated' THEN 'escalated' WHEN 'held' THEN 'conversation' END AS outcome
      ) c`,
  );
  await step(
    'attempts',
    sql`INSERT INTO attempts (contact_id, programme_id, attempt_no, caller_id, at, local_day, part_of_day, channel, outcome, created_at)
      SELECT b.id, ${p}, n, (${q.callers}::uuid[])[1 + (b.g % ${q.callers.length}::int)], a.at, (a.at AT TIME ZONE 'Europe/Brussels')::date,
        CASE WHEN extract(hour FROM a.at AT TIME ZONE 'Europe/Brussels') < 12 THEN 'morning'
             WHEN extract(hour FROM a.at AT TIME ZONE 'Europe/Brussels') < 18 THEN 'afternoon' ELSE 'evening' END,
        CASE WHEN b.state = 'letter' AND n = 3 THEN 'letter' ELSE 'phone' END,
        CASE WHEN n <= b.n_pre THEN (ARRAY['no_answer', 'no_answer', 'no_answer', 'no_answer', 'no_answer', 'voicemail_not_left', 'voicemail_not_left',
                                           'voicemail_neutral', 'busy', 'someone_else'])[1 + floor(bench_u(b.g * 8 + n, 30) * 10)::int]
             WHEN n = b.n_pre + 1 AND b.state = 'ni_unusable' THEN CASE WHEN bench_u(b.g, 31) < 0.7 THEN 'not_in_service' ELSE 'wrong_person' END
             WHEN n = b.n_pre + 1 AND b.state = 'letter' THEN 'sent'
             WHEN n = b.n_pre + 1 THEN 'reached'
             WHEN bench_u(b.g * 8 + n, 32) < 0.8 THEN 'reached' ELSE 'no_answer' END,
        a.at
      FROM bench_plan2 b
      CROSS JOIN LATERAL generate_series(1, b.n_att) n
      CROSS JOIN LATERAL (SELECT bench_at(b.rday, b.g, n, b.n_pre, b.perm) AS at) a
      WHERE b.n_att > 0`,
  );
  await step(
    'conversations',
    sql`INSERT INTO conversations (id, contact_id, programme_id, scenario_id, caller_id, status, answers, started_at, ended_at)
      SELECT bench_id('v' || g), id, ${p}, ${scenario}, (${q.callers}::uuid[])[1 + (g % ${q.callers.length}::int)],
        CASE WHEN state = 'refused' THEN 'refused' ELSE 'held' END,
        CASE WHEN state = 'refused' THEN '{}'::jsonb
             ELSE jsonb_build_object('how-are-you', 1 + floor(bench_u(g, 40) * 5)::int, 'can-talk', true, 'feels-safe', 2 + floor(bench_u(g, 41) * 4)::int) END,
        reached_at + interval '1 minute', reached_at + interval '9 minutes'
      FROM bench_plan2 WHERE state IN ('refused', 'escalated', 'held', 'follow_up')`,
  );
  await step(
    'referrals',
    sql`INSERT INTO service_referrals (contact_id, programme_id, conversation_id, service_id, service_kind, status, proposed_at, accepted_at, taken_up_at, declined_at, updated_at)
      SELECT b.id, ${p}, bench_id('v' || b.g), s.id, s.kind, st.status, b.reached_at + interval '9 minutes',
        CASE WHEN st.status IN ('accepted', 'taken_up') THEN b.reached_at + interval '9 minutes' END,
        CASE WHEN st.status = 'taken_up' THEN b.reached_at + interval '12 days' END,
        CASE WHEN st.status = 'declined' THEN b.reached_at + interval '5 days' END,
        b.reached_at + interval '12 days'
      FROM bench_plan2 b
      CROSS JOIN LATERAL (SELECT (ARRAY['caw', 'caw', 'caw', 'caw', 'peer_group', 'gp', 'mental_health', 'ocmw_cpas', 'jac', 'lawyer'])[1 + floor(bench_u(b.g, 50) * 10)::int] AS kind,
                                 (ARRAY['taken_up', 'taken_up', 'taken_up', 'taken_up', 'accepted', 'accepted', 'proposed', 'declined', 'declined', 'declined'])[1 + floor(bench_u(b.g, 51) * 10)::int] AS status) st
      JOIN services s ON s.kind = st.kind AND s.project_id = (SELECT project_id FROM programmes WHERE id = ${p})
      WHERE b.state IN ('held', 'follow_up') AND bench_u(b.g, 52) < 0.45`,
  );
  await step(
    'escalations',
    sql`INSERT INTO escalations (contact_id, programme_id, conversation_id, raised_by, raised_at, recipient, urgency, colour, reasons, acknowledged_at, acknowledged_by)
      SELECT id, ${p}, bench_id('v' || g), (${q.callers}::uuid[])[1 + (g % ${q.callers.length}::int)], reached_at + interval '12 minutes', 'veilig_huis', 'today',
        'red', ARRAY['fear_for_life'], reached_at + interval '1 hour', ${q.coordinator}::uuid
      FROM bench_plan2 WHERE state = 'escalated'`,
  );
  await step(
    'dossier colours after escalation',
    sql`UPDATE dossiers d SET colour = 'red' FROM bench_plan2 b WHERE b.dossier_id = d.id AND b.state = 'escalated'`,
  );
  // What the daily purge would have left: past their retention, contacts are purged.
  await step(
    'purged past retention',
    sql`UPDATE contacts SET purged_at = retention_until, phone_hash = NULL WHERE programme_id = ${p} AND retention_until <= ${t0}::timestamptz`,
  );
  for (const t of ['bench_plan2', 'bench_plan', 'bench_places']) await sql`DROP TABLE ${sql.table(t)}`.execute(db);
  await sql`DROP FUNCTION bench_at(date, bigint, int, int, int)`.execute(db);
  await sql`DROP FUNCTION bench_u(bigint, bigint)`.execute(db);
  await sql`DROP FUNCTION bench_id(text)`.execute(db);
}

/** The daily jobs count as run today: they would otherwise start 10 s into the measurement. */
async function markDailyJobsRun(db: Db, now: Date) {
  const jobs = (await loadModules()).flatMap((m) => m.dailyJobs ?? []);
  for (const day of [brusselsDay(now), brusselsDay(new Date(now.getTime() + 86_400_000))]) {
    await db
      .insertInto('scheduled_runs')
      .values(jobs.map((j) => ({ job: j.name, run_on: day, finished_at: new Date(), result: JSON.stringify({ bench: 'skipped' }) })))
      .onConflict((oc) => oc.doNothing())
      .execute();
  }
}

// ---- The callers ---------------------------------------------------------------------------------

interface Claim {
  caller: number;
  contact: string;
  /** client clock (performance.now) when the claim was sent and answered */
  sent: number;
  answered: number;
  outcome: 'no_answer' | 'reached' | null;
  /** when the attempt was sent and answered */
  attemptSent: number | null;
  attemptAnswered: number | null;
  attemptStatus: number | null;
}

async function post(base: string, s: ApiSession, url: string, body?: unknown): Promise<{ status: number; json: any }> {
  const res = await fetch(`${base}${url}`, {
    method: 'POST',
    headers: { cookie: s.cookie, 'x-csrf-token': s.csrf, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await res.text();
  let json: unknown = null;
  try {
    json = text ? JSON.parse(text) : null;
  } catch {
    json = text;
  }
  return { status: res.status, json };
}

interface CallerRun {
  claims: Claim[];
  claimLatencies: number[];
  attemptLatencies: number[];
  empty: number;
  ruleRefusals: number;
  errors: Record<string, number>;
  seconds: number;
}

/**
 * Every caller loops claim → attempt for `seconds`; each claim answer is kept with its times.
 * With `pace` (claims per second, all callers together), each caller starts an iteration at its
 * own fixed interval instead of right after the last, and a claim's latency counts from when it
 * was due (so time lost waiting behind a slow iteration counts too).
 */
async function callers(base: string, programmeId: string, sessions: ApiSession[], seconds: number, seed: number, pace?: number): Promise<CallerRun> {
  const run: CallerRun = { claims: [], claimLatencies: [], attemptLatencies: [], empty: 0, ruleRefusals: 0, errors: {}, seconds };
  const fail = (what: string) => {
    run.errors[what] = (run.errors[what] ?? 0) + 1;
  };
  let dice = seed >>> 0;
  const random = () => {
    dice = (Math.imul(dice, 1_103_515_245) + 12_345) >>> 0;
    return dice / 4_294_967_296;
  };
  const t0 = performance.now();
  const end = t0 + seconds * 1000;
  await Promise.all(
    sessions.map(async (s, caller) => {
      const interval = pace ? (sessions.length / pace) * 1000 : 0;
      let due = t0 + (interval * caller) / sessions.length;
      while (performance.now() < end) {
        if (pace) {
          const wait = due - performance.now();
          if (wait > 0) await new Promise((r) => setTimeout(r, wait));
          if (performance.now() >= end) break;
        }
        const sent = pace ? due : performance.now();
        due += interval;
        let claim: { status: number; json: any };
        try {
          claim = await post(base, s, `/api/programmes/${programmeId}/worklist/claim`);
        } catch {
          fail('claim network');
          continue;
        }
        const answered = performance.now();
        if (claim.status === 409) {
          run.empty++;
          if (!pace) await new Promise((r) => setTimeout(r, 100));
          continue;
        }
        if (claim.status !== 200) {
          fail(`claim ${claim.status}`);
          continue;
        }
        run.claimLatencies.push(answered - sent);
        const c: Claim = { caller, contact: claim.json.id, sent, answered, outcome: null, attemptSent: null, attemptAnswered: null, attemptStatus: null };
        run.claims.push(c);
        c.outcome = random() < REACHED_SHARE ? 'reached' : 'no_answer';
        c.attemptSent = performance.now();
        let attempt: { status: number; json: any };
        try {
          attempt = await post(base, s, `/api/programmes/${programmeId}/contacts/${c.contact}/attempts`, { channel: 'phone', outcome: c.outcome });
        } catch {
          fail('attempt network');
          continue;
        }
        c.attemptAnswered = performance.now();
        c.attemptStatus = attempt.status;
        if (attempt.status === 201) {
          run.attemptLatencies.push(c.attemptAnswered - c.attemptSent);
        } else if (attempt.status === 422) {
          // The rule forbids a call in this part of the day: a caller gives the contact back.
          run.ruleRefusals++;
          c.outcome = null;
          await post(base, s, `/api/programmes/${programmeId}/contacts/${c.contact}/release`);
          c.attemptAnswered = performance.now();
        } else {
          fail(`attempt ${attempt.status} ${attempt.json?.code ?? ''}`);
          if (process.env.BENCH_DEBUG) log(JSON.stringify(attempt.json));
        }
      }
    }),
  );
  run.seconds = (performance.now() - t0) / 1000;
  return run;
}

/**
 * Holds that overlap: a contact claimed by two different callers, the second claim answered
 * while the first caller still held it. A caller holds a contact from the claim until its
 * attempt is answered (no answer: the lease ends there) or, once reached, for the whole lease.
 * `certain`: the second claim was sent and answered entirely inside the first hold (the server
 * gave the contact out twice); `possible`: the windows merely touch (the clocks cannot tell).
 */
function overlaps(claims: Claim[]): { twice: number; possible: number; certain: number } {
  const byContact = new Map<string, Claim[]>();
  for (const c of claims) byContact.set(c.contact, [...(byContact.get(c.contact) ?? []), c]);
  let twice = 0;
  let possible = 0;
  let certain = 0;
  for (const list of byContact.values()) {
    if (list.length < 2) continue;
    twice++;
    list.sort((a, b) => a.sent - b.sent);
    for (let i = 0; i < list.length; i++) {
      for (let j = i + 1; j < list.length; j++) {
        const a = list[i] as Claim;
        const b = list[j] as Claim;
        if (a.caller === b.caller) continue;
        const heldUntil = a.outcome === 'reached' || a.attemptAnswered === null ? a.answered + LEASE_MINUTES * 60_000 : a.attemptAnswered;
        const surelyHeldUntil = a.outcome === 'reached' || a.attemptSent === null ? heldUntil : a.attemptSent;
        if (b.sent < heldUntil && b.answered > a.sent) possible++;
        if (b.sent > a.answered && b.answered < surelyHeldUntil) certain++;
      }
    }
  }
  return { twice, possible, certain };
}

// ---- The funnel ---------------------------------------------------------------------------------

interface Statement {
  name: string;
  /** `SET LOCAL …` sent before it in its transaction */
  settings: string[];
  sql: string;
  parameters: readonly unknown[];
}

/**
 * The statements computeFunnel sends for a query, compiled by Kysely (no database needed), each
 * with the SET LOCAL settings of its transaction; the totals first, then the reach rates.
 */
async function funnelStatements(q: ResolvedQuery): Promise<Statement[]> {
  const seen: { sql: string; parameters: readonly unknown[] }[] = [];
  const compiler = new Kysely<Database>({
    dialect: {
      createAdapter: () => new PostgresAdapter(),
      createDriver: () => new DummyDriver(),
      createIntrospector: (db) => new PostgresIntrospector(db),
      createQueryCompiler: () => new PostgresQueryCompiler(),
    },
    log: (e) => {
      if (e.level === 'query') seen.push(e.query);
    },
  });
  // No rows come back, so computeFunnel fails after sending its statements: they are what counts.
  await computeFunnel(compiler, q).catch(() => {});
  if (seen.length === 0) throw new Error('computeFunnel sent no query');
  // The two transactions run at once, so their statements come interleaved and the log does not
  // say which connection sent which: each statement gets every SET LOCAL computeFunnel sent (today
  // both transactions send the same one, jit = off).
  const settings = [...new Set(seen.filter((s) => /^SET LOCAL /i.test(s.sql)).map((s) => s.sql))];
  const out: Statement[] = seen
    .filter((s) => !/^SET LOCAL /i.test(s.sql))
    .map((s) => ({ name: s.sql.includes('FILTER (WHERE k.') ? 'funnel totals' : 'funnel reach rates', settings, ...s }));
  return out.sort((a, b) => a.name.localeCompare(b.name) * -1);
}

/** Runs a statement in its transaction with its settings (or alone), through `query`. */
async function runStatement(query: (text: string, params?: unknown[]) => Promise<unknown>, s: Statement): Promise<void> {
  if (!s.settings.length) {
    await query(s.sql, s.parameters as unknown[]);
    return;
  }
  await query('BEGIN');
  try {
    for (const x of s.settings) await query(x);
    await query(s.sql, s.parameters as unknown[]);
  } finally {
    await query('COMMIT');
  }
}

/** The statement claimNext sends for a caller (compiled as funnelStatements is). */
async function claimStatement(programmeId: string, userId: string): Promise<{ sql: string; parameters: readonly unknown[] }> {
  const seen: { sql: string; parameters: readonly unknown[] }[] = [];
  const compiler = new Kysely<Database>({
    dialect: {
      createAdapter: () => new PostgresAdapter(),
      createDriver: () => new DummyDriver(),
      createIntrospector: (db) => new PostgresIntrospector(db),
      createQueryCompiler: () => new PostgresQueryCompiler(),
    },
    log: (e) => {
      if (e.level === 'query') seen.push(e.query);
    },
  });
  await claimNext(compiler as unknown as Tx, () => {}, { programmeId, userId, leaseMinutes: LEASE_MINUTES, filter: {} });
  const first = seen[0];
  if (!first) throw new Error('claimNext sent no query');
  return first;
}

/** The simplest aggregate over the same contacts: how many of the period's contacts by outcome. */
const COUNT_BY_OUTCOME = `SELECT outcome, count(*)::int AS n FROM contacts
  WHERE programme_id = $1 AND received_at >= ($2::date::timestamp AT TIME ZONE 'Europe/Brussels') AND received_at < (($3::date + 1)::timestamp AT TIME ZONE 'Europe/Brussels')
  GROUP BY outcome`;

interface Timings {
  first: number;
  p50: number;
  max: number;
  runs: number[];
}
function timings(all: number[]): Timings {
  const [first, ...rest] = all;
  const sorted = [...rest].sort((a, b) => a - b);
  return { first: first ?? Number.NaN, p50: percentile(sorted, 50), max: sorted.at(-1) ?? Number.NaN, runs: all };
}
async function repeat(n: number, fn: () => Promise<void>): Promise<Timings> {
  const all: number[] = [];
  for (let i = 0; i <= n; i++) {
    const t = performance.now();
    await fn();
    all.push(performance.now() - t);
  }
  return timings(all);
}

// ---- What PostgreSQL does meanwhile -----------------------------------------------------------------

/**
 * During a run: every 50 ms, what the benchmark database's active backends wait on (none: on the
 * CPU), and, where pg_stat_statements can be loaded, the statements by execution time. Evidence for
 * where a claim's time goes; nothing of it is needed for the figures themselves.
 */
async function watchPostgres(url: string) {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  let statements = false;
  try {
    await client.query('CREATE EXTENSION IF NOT EXISTS pg_stat_statements');
    await client.query('SELECT pg_stat_statements_reset()');
    statements = true;
  } catch {
    log('pg_stat_statements is not loaded on this server: no statement figures');
  }
  const waits: Record<string, number> = {};
  let samples = 0;
  let stopped = false;
  const sampling = (async () => {
    while (!stopped) {
      const r = await client.query<{ wait: string; n: number }>(
        `SELECT coalesce(wait_event_type || ':' || wait_event, 'CPU') AS wait, count(*)::int AS n FROM pg_stat_activity
         WHERE datname = current_database() AND state = 'active' AND pid <> pg_backend_pid() GROUP BY 1`,
      );
      samples++;
      for (const row of r.rows) waits[row.wait] = (waits[row.wait] ?? 0) + row.n;
      await new Promise((res) => setTimeout(res, 50));
    }
  })();
  return {
    async stop() {
      stopped = true;
      await sampling;
      let top: EngineResult['statements'] = null;
      if (statements) {
        const r = await client.query<{ query: string; calls: string; total: number; mean: number }>(
          `SELECT query, calls, total_exec_time AS total, mean_exec_time AS mean FROM pg_stat_statements
           WHERE dbid = (SELECT oid FROM pg_database WHERE datname = current_database()) ORDER BY total_exec_time DESC LIMIT 12`,
        );
        const all = r.rows.reduce((a, x) => a + x.total, 0);
        top = r.rows.map((x) => ({
          query: x.query.replace(/\s+/g, ' ').slice(0, 160),
          calls: Number(x.calls),
          totalMs: x.total,
          meanMs: x.mean,
          share: all ? x.total / all : 0,
        }));
      }
      await client.end();
      // Average number of active backends in each state per sample.
      return { statements: top, waits: Object.fromEntries(Object.entries(waits).map(([k, n]) => [k, n / Math.max(1, samples)])) };
    },
  };
}

// ---- One engine ---------------------------------------------------------------------------------

interface EngineResult {
  engine: Engine;
  version: string;
  contacts: number;
  dossiers: number;
  attempts: number;
  open: number;
  dueOpen: number;
  generateSeconds: number;
  poolSize: number | null;
  callers: {
    seconds: number;
    claims: number;
    claimsPerSecond: number;
    claimP50: number;
    claimP99: number;
    claimMax: number;
    attempts: number;
    attemptP50: number;
    attemptP99: number;
    empty: number;
    ruleRefusals: number;
    errors: Record<string, number>;
    contactsClaimedTwice: number;
    overlapsPossible: number;
    overlapsCertain: number;
    /** attempts in the run on one contact by two callers within one lease period (database) */
    dbTwoCallersInLease: number;
    cpuMsPerClaim: { server: number; db: number | null };
  };
  /** the same callers paced at shares of the claims/s of the loop above */
  paced: {
    share: number;
    rate: number;
    claims: number;
    claimP50: number;
    claimP99: number;
    claimMax: number;
    attemptP50: number;
    attemptP99: number;
    errors: number;
  }[];
  /** PostgreSQL only, over the looping run: the statements by total execution time (pg_stat_statements) */
  statements: { query: string; calls: number; totalMs: number; meanMs: number; share: number }[] | null;
  /** PostgreSQL only: what the database's active backends were doing, sampled every 50 ms during the looping run */
  waits: Record<string, number> | null;
  /** EXPLAIN (ANALYZE, BUFFERS) after the runs: a claim (rolled back) and each statement of the funnel */
  explain: { name: string; executionMs: number; plan: string }[];
  funnel: {
    from: string;
    to: string;
    received: number;
    api: Timings;
    sql: Timings;
    countByOutcome: Timings;
  };
  server: { idleRssMB: number; peakRssMB: number };
}

async function runEngine(engine: Engine, contacts: number, target?: PgTarget): Promise<EngineResult> {
  log(`--- ${engine}: ${contacts} contacts ---`);
  const dataDir = mkdtempSync(path.join(os.tmpdir(), `haven-bench-outreach-${engine}-`));
  const env = havenEnv(dataDir, { NODE_ENV: 'production', HAVEN_LOG_LEVEL: 'warn', ...(target ? { DATABASE_URL: target.url } : {}) });
  const dbPids = () => (target?.postmasterPid ? withChildren(target.postmasterPid) : []);
  try {
    const rt = await openRuntime(loadConfig(env));
    const db = rt.database.db;
    const version = String((await sql<{ v: string }>`SELECT version() AS v`.execute(db)).rows[0]?.v);
    const base = await seedBase(db, (s) => rt.keys.seal(s, 'users.totp_secret'));
    await storeDefaultScenario(db);
    const now = new Date();
    const part = PARTS_OF_DAY.indexOf(partOfDay(now));
    const coordinatorId = (await db.selectFrom('users').select('id').where('email', '=', base.coordinator.email).executeTakeFirstOrThrow()).id;
    log(`generating (part of the day now: ${PARTS_OF_DAY[part]})`);
    const tg = performance.now();
    await generate(db, { programmeId: base.programmeId, contacts, callers: base.accounts.map((a) => a.id), coordinator: coordinatorId, now, part });
    await markDailyJobsRun(db, now);
    const ta = performance.now();
    await sql`VACUUM ANALYZE`.execute(db);
    log(`  VACUUM ANALYZE: ${((performance.now() - ta) / 1000).toFixed(1)} s`);
    const generateSeconds = (performance.now() - tg) / 1000;
    const counts = (
      await sql<{ contacts: number; dossiers: number; attempts: number; open: number; due: number }>`
        SELECT (SELECT count(*)::int FROM contacts) AS contacts, (SELECT count(*)::int FROM dossiers) AS dossiers,
               (SELECT count(*)::int FROM attempts) AS attempts,
               (SELECT count(*)::int FROM contacts WHERE status = 'open') AS open,
               (SELECT count(*)::int FROM contacts c JOIN dossiers d ON d.id = c.dossier_id
                 WHERE c.status = 'open' AND d.colour = 'green' AND (coalesce(c.follow_up_at, c.next_due_at) IS NULL OR coalesce(c.follow_up_at, c.next_due_at) <= now())) AS due`.execute(
        db,
      )
    ).rows[0] as { contacts: number; dossiers: number; attempts: number; open: number; due: number };
    log(`generated ${JSON.stringify(counts)} in ${generateSeconds.toFixed(0)} s`);
    if (PARTS_OF_DAY[part] !== partOfDay(new Date())) log('the part of the day changed while generating: expect refusals by the rule (counted)');
    await rt.close();

    const logFd = openSync(path.join(dataDir, 'server.log'), 'a');
    let server: RunningHaven | undefined;
    let result: Omit<EngineResult, 'funnel' | 'explain'> & { funnel: Omit<EngineResult['funnel'], 'sql' | 'countByOutcome'> };
    const from = localDay(new Date(now.getTime() - 364 * 86_400_000));
    const to = localDay(now);
    let runStart: Date;
    try {
      server = await startHaven(env, { stdout: logFd, timeoutMs: 120_000 });
      const sessions: ApiSession[] = [];
      for (const a of base.accounts) sessions.push(await signIn(server.base, a));
      const coordinator = await signIn(server.base, base.coordinator);
      await new Promise((r) => setTimeout(r, 1000));
      const idleRssMB = memorySampler(server.pid).stop().peakRssMB;
      log(`server pid ${server.pid}, RSS ${idleRssMB.toFixed(0)} MB; ${CALLERS} callers signed in; warm-up ${WARMUP} s`);
      await callers(server.base, base.programmeId, sessions, WARMUP, 1);
      runStart = new Date();
      const sampler = memorySampler(server.pid);
      const serverPid = server.pid;
      const serverCpu = cpuMeter(() => [serverPid]);
      const dbCpu = cpuMeter(dbPids);
      const monitor = target ? await watchPostgres(target.url) : null;
      log(`${CALLERS} callers for ${SECONDS} s`);
      const run = await callers(server.base, base.programmeId, sessions, SECONDS, 2);
      const cpu = {
        server: serverCpu.stop() / Math.max(1, run.claims.length),
        db: target?.postmasterPid ? dbCpu.stop() / Math.max(1, run.claims.length) : null,
      };
      const watched = monitor ? await monitor.stop() : null;
      const sortedClaims = [...run.claimLatencies].sort((a, b) => a - b);
      const sortedAttempts = [...run.attemptLatencies].sort((a, b) => a - b);
      log(
        `claims ${run.claims.length} (${(run.claims.length / run.seconds).toFixed(0)}/s) p50 ${percentile(sortedClaims, 50).toFixed(1)} p99 ${percentile(sortedClaims, 99).toFixed(1)} ms; attempts p99 ${percentile(sortedAttempts, 99).toFixed(1)} ms`,
      );
      const paced: EngineResult['paced'] = [];
      const allClaims = [...run.claims];
      for (const [i, share] of PACED.entries()) {
        const rate = Math.max(0.5, Math.round((share * run.claims.length) / run.seconds));
        log(`${CALLERS} callers paced at ${rate} claims/s for ${SECONDS} s`);
        const p = await callers(server.base, base.programmeId, sessions, SECONDS, 3 + i, rate);
        const claims = [...p.claimLatencies].sort((a, b) => a - b);
        const attempts = [...p.attemptLatencies].sort((a, b) => a - b);
        allClaims.push(...p.claims);
        paced.push({
          share,
          rate,
          claims: p.claims.length,
          claimP50: percentile(claims, 50),
          claimP99: percentile(claims, 99),
          claimMax: claims.at(-1) ?? Number.NaN,
          attemptP50: percentile(attempts, 50),
          attemptP99: percentile(attempts, 99),
          errors: Object.values(p.errors).reduce((a, b) => a + b, 0) + p.ruleRefusals,
        });
        log(`paced: claims ${p.claims.length} p50 ${percentile(claims, 50).toFixed(1)} p99 ${percentile(claims, 99).toFixed(1)} ms`);
      }
      const o = overlaps(allClaims);
      log(`claimed twice ${o.twice}, overlapping holds ${o.possible} (${o.certain} certain)`);

      log(`funnel ${from} – ${to} through the API, ${FUNNEL_RUNS + 1} times`);
      let received = 0;
      const api = await repeat(FUNNEL_RUNS, async () => {
        const res = await fetch(`${server?.base}/api/programmes/${base.programmeId}/funnel?from=${from}&to=${to}`, { headers: { cookie: coordinator.cookie } });
        const body = (await res.json()) as { lines: { line: string; count: number }[] };
        if (res.status !== 200) throw new Error(`funnel: ${res.status} ${JSON.stringify(body).slice(0, 300)}`);
        received = body.lines.find((l) => l.line === 'received')?.count ?? 0;
      });
      const mem = sampler.stop();
      const end = await server.stop('SIGTERM');
      if (end.code !== 0) throw new Error(`server exited with ${JSON.stringify(end)}`);
      result = {
        engine,
        version,
        contacts: counts.contacts,
        dossiers: counts.dossiers,
        attempts: counts.attempts,
        open: counts.open,
        dueOpen: counts.due,
        generateSeconds,
        poolSize: engine === 'postgres' ? loadConfig(env).dbPoolSize : null,
        callers: {
          seconds: run.seconds,
          claims: run.claims.length,
          claimsPerSecond: run.claims.length / run.seconds,
          claimP50: percentile(sortedClaims, 50),
          claimP99: percentile(sortedClaims, 99),
          claimMax: sortedClaims.at(-1) ?? Number.NaN,
          attempts: run.attemptLatencies.length,
          attemptP50: percentile(sortedAttempts, 50),
          attemptP99: percentile(sortedAttempts, 99),
          empty: run.empty,
          ruleRefusals: run.ruleRefusals,
          errors: run.errors,
          contactsClaimedTwice: o.twice,
          overlapsPossible: o.possible,
          overlapsCertain: o.certain,
          dbTwoCallersInLease: -1,
          cpuMsPerClaim: cpu,
        },
        paced,
        statements: watched?.statements ?? null,
        waits: watched?.waits ?? null,
        funnel: { from, to, received, api },
        server: { idleRssMB, peakRssMB: mem.peakRssMB },
      };
    } finally {
      if (server) await server.stop('SIGKILL');
      closeSync(logFd);
    }

    // The server stopped: the funnel's SQL and the plain count, straight through the driver, and
    // the database's own check that no contact was attempted by two callers within one lease.
    const q: ResolvedQuery = {
      programmeId: base.programmeId,
      from,
      to,
      nisCode: null,
      programme: { id: base.programmeId, slug: 'bench-outreach', name: 'bench' },
      municipality: null,
      maxAttempts: 3,
    };
    const statements = await funnelStatements(q);
    const twoCallers = `SELECT count(*)::int AS n FROM attempts a JOIN attempts b ON b.contact_id = a.contact_id AND b.id <> a.id
      AND b.caller_id <> a.caller_id AND b.at >= a.at AND b.at < a.at + make_interval(mins => ${LEASE_MINUTES})
      WHERE a.programme_id = $1 AND a.at >= $2`;
    let sqlTimings: Timings;
    let countTimings: Timings;
    let dbTwo: number;
    let explain: EngineResult['explain'];
    const toExplain = [
      { name: 'claim', settings: [], ...(await claimStatement(base.programmeId, base.accounts[0]?.id as string)), rollback: true },
      ...statements.map((st) => ({ ...st, rollback: false })),
      { name: 'count by outcome', settings: [], sql: COUNT_BY_OUTCOME, parameters: [base.programmeId, from, to], rollback: false },
    ];
    log(`funnel SQL (${statements.length} statements) and count by outcome through the driver, ${FUNNEL_RUNS + 1} times each`);
    if (engine === 'postgres') {
      const pool = new pg.Pool({ connectionString: target?.url, max: statements.length });
      sqlTimings = await repeat(FUNNEL_RUNS, async () => {
        await Promise.all(
          statements.map(async (st) => {
            const c = await pool.connect();
            try {
              await runStatement((text, params) => c.query(text, params), st);
            } finally {
              c.release();
            }
          }),
        );
      });
      countTimings = await repeat(FUNNEL_RUNS, async () => {
        await pool.query(COUNT_BY_OUTCOME, [base.programmeId, from, to]);
      });
      dbTwo = (await pool.query<{ n: number }>(twoCallers, [base.programmeId, runStart])).rows[0]?.n ?? -1;
      const client = await pool.connect();
      explain = await explainAll(async (text, params) => (await client.query<Record<string, string>>(text, params as unknown[])).rows, toExplain);
      client.release();
      await pool.end();
    } else {
      const lock = lockDataDir(dataDir);
      const pglite = await openPGlite(path.join(dataDir, 'pglite'));
      sqlTimings = await repeat(FUNNEL_RUNS, async () => {
        for (const st of statements) await runStatement((text, params) => pglite.query(text, params), st);
      });
      countTimings = await repeat(FUNNEL_RUNS, async () => {
        await pglite.query(COUNT_BY_OUTCOME, [base.programmeId, from, to]);
      });
      dbTwo = (await pglite.query<{ n: number }>(twoCallers, [base.programmeId, runStart])).rows[0]?.n ?? -1;
      explain = await explainAll(async (text, params) => (await pglite.query<Record<string, string>>(text, params as unknown[])).rows, toExplain);
      await pglite.close();
      lock.release();
    }
    const full: EngineResult = {
      ...result,
      callers: { ...result.callers, dbTwoCallersInLease: dbTwo },
      funnel: { ...result.funnel, sql: sqlTimings, countByOutcome: countTimings },
      explain,
    };
    for (const e of explain) log(`EXPLAIN ANALYZE ${e.name}: ${e.executionMs.toFixed(1)} ms`);
    log(
      `${engine}: funnel API p50 ${full.funnel.api.p50.toFixed(0)} ms max ${full.funnel.api.max.toFixed(0)} ms; SQL p50 ${sqlTimings.p50.toFixed(0)} ms; count ${countTimings.p50.toFixed(0)} ms; two callers in a lease: ${dbTwo}`,
    );
    return full;
  } finally {
    if (KEEP) log(`kept ${dataDir}${target ? ` and ${target.url}` : ''}`);
    else rmSync(dataDir, { recursive: true, force: true });
  }
}

/** EXPLAIN (ANALYZE, BUFFERS) of each statement; a change (the claim) inside a transaction rolled back. */
async function explainAll(
  query: (text: string, params: readonly unknown[]) => Promise<Record<string, string>[]>,
  list: (Statement & { rollback: boolean })[],
): Promise<EngineResult['explain']> {
  const out: EngineResult['explain'] = [];
  for (const e of list) {
    const inTransaction = e.rollback || e.settings.length > 0;
    if (inTransaction) await query('BEGIN', []);
    try {
      for (const x of e.settings) await query(x, []);
      const rows = await query(`EXPLAIN (ANALYZE, BUFFERS) ${e.sql}`, e.parameters);
      const plan = rows.map((r) => Object.values(r)[0]).join('\n');
      out.push({ name: e.name, executionMs: Number(/Execution Time: ([\d.]+) ms/.exec(plan)?.[1] ?? Number.NaN), plan });
    } finally {
      if (inTransaction) await query('ROLLBACK', []);
    }
  }
  return out;
}

// ---- Report ---------------------------------------------------------------------------------------

/** The commit measured, and whether the outreach module had changes not yet committed. */
function codeState(): string {
  const git = (args: string[]) => spawnSync('git', args, { encoding: 'utf8' }).stdout.trim();
  const head = git(['rev-parse', '--short', 'HEAD']);
  const dirty = git(['status', '--porcelain', '--', 'src/modules/outreach', 'src/kernel'])
    .split('\n')
    .filter(Boolean)
    .map((l) => l.slice(3));
  return head ? `code at ${head}${dirty.length ? ` with uncommitted changes to ${dirty.join(', ')}` : ''}` : 'code outside git';
}

function report(results: EngineResult[], loadBefore: number[]): string {
  const f = (n: number, d = 0) => n.toLocaleString('en-US', { minimumFractionDigits: d, maximumFractionDigits: d });
  const ms = (n: number) => `${f(n, n < 100 ? 1 : 0)} ms`;
  const load = (l: number[]) => l.map((x) => x.toFixed(1)).join(' ');
  const lines = [
    `${CALLERS} callers, each its own session, claim → attempt (${REACHED_SHARE * 100} % reached, the rest no answer) for ${SECONDS} s after ${WARMUP} s warm-up; funnel of one year, all municipalities, ${FUNNEL_RUNS} runs after a first`,
    `${codeState()}; Node ${process.version}, ${os.cpus().length} CPUs (${os.cpus()[0]?.model ?? '?'}), ${f(os.totalmem() / 2 ** 30)} GiB; load average before ${load(loadBefore)}, after ${load(os.loadavg())}`,
    '',
    '| engine | contacts / dossiers / attempts | open (due) | claims/s | claim p50 | claim p99 (max) | attempt p50 | attempt p99 | empty, rule, errors | claimed twice / overlapping holds / two callers in a lease (DB) | CPU ms per claim + attempt (server + DB) | funnel API first, p50, max | funnel SQL first, p50, max | count by outcome p50 | server RSS idle / peak |',
    '|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|',
    ...results.map((r) => {
      const c = r.callers;
      const errors = Object.values(c.errors).reduce((a, b) => a + b, 0);
      return `| ${r.engine} | ${f(r.contacts)} / ${f(r.dossiers)} / ${f(r.attempts)} | ${f(r.open)} (${f(r.dueOpen)}) | ${f(c.claimsPerSecond)} | ${ms(c.claimP50)} | ${ms(c.claimP99)} (${ms(c.claimMax)}) | ${ms(c.attemptP50)} | ${ms(c.attemptP99)} | ${c.empty}, ${c.ruleRefusals}, ${errors} | ${c.contactsClaimedTwice} / ${c.overlapsPossible} (${c.overlapsCertain} certain) / ${c.dbTwoCallersInLease} | ${f(c.cpuMsPerClaim.server, 1)}${c.cpuMsPerClaim.db === null ? '' : ` + ${f(c.cpuMsPerClaim.db, 1)}`} | ${ms(r.funnel.api.first)}, ${ms(r.funnel.api.p50)}, ${ms(r.funnel.api.max)} | ${ms(r.funnel.sql.first)}, ${ms(r.funnel.sql.p50)}, ${ms(r.funnel.sql.max)} | ${ms(r.funnel.countByOutcome.p50)} | ${f(r.server.idleRssMB)} / ${f(r.server.peakRssMB)} MB |`;
    }),
    '',
    'The same callers paced at a share of those claims/s (each caller at its own fixed interval; a claim counts from when it was due):',
    '',
    '| engine | share | paced claims/s | claims | claim p50 | claim p99 (max) | attempt p50 | attempt p99 | refused or failed |',
    '|---|---:|---:|---:|---:|---:|---:|---:|---:|',
    ...results.flatMap((r) =>
      r.paced.map(
        (p) =>
          `| ${r.engine} | ${f(p.share, 3)} | ${f(p.rate, 1)} | ${f(p.claims)} | ${ms(p.claimP50)} | ${ms(p.claimP99)} (${ms(p.claimMax)}) | ${ms(p.attemptP50)} | ${ms(p.attemptP99)} | ${p.errors} |`,
      ),
    ),
    ...results.flatMap((r) =>
      r.waits
        ? [
            '',
            `${r.engine}, looping run: active backends by what they wait on (average per 50 ms sample): ${Object.entries(r.waits)
              .sort((a, b) => b[1] - a[1])
              .map(([k, n]) => `${k} ${n.toFixed(2)}`)
              .join(', ')}`,
          ]
        : [],
    ),
    ...results.flatMap((r) =>
      r.statements
        ? [
            '',
            `${r.engine}, looping run: statements by total execution time (pg_stat_statements)`,
            '',
            '| share | calls | mean | statement |',
            '|---:|---:|---:|---|',
            ...r.statements.map((x) => `| ${f(x.share * 100, 1)} % | ${f(x.calls)} | ${f(x.meanMs, 2)} ms | \`${x.query.replace(/\|/g, '\\|')}\` |`),
          ]
        : [],
    ),
    '',
    ...results.map(
      (r) => `${r.engine}, EXPLAIN ANALYZE after the runs (plans in --json): ${r.explain.map((e) => `${e.name} ${f(e.executionMs, 1)} ms`).join(', ')}`,
    ),
    '',
    ...results.map(
      (r) =>
        `${r.engine}: ${r.version.split(',')[0]}; generated and analysed in ${f(r.generateSeconds)} s${r.poolSize ? `; server pool ${r.poolSize}` : ''}; ${f(r.callers.claims)} claims, ${f(r.callers.attempts)} attempts recorded; funnel ${r.funnel.from} – ${r.funnel.to}: ${f(r.funnel.received)} contacts received${Object.keys(r.callers.errors).length ? `; errors ${JSON.stringify(r.callers.errors)}` : ''}`,
    ),
  ];
  return lines.join('\n');
}

const loadBefore = os.loadavg();
const results: EngineResult[] = [];
const engines: Engine[] = opts.engine === 'both' ? ['pglite', 'postgres'] : [opts.engine as Engine];
for (const engine of engines) {
  const contacts = opts.contacts ? Number(opts.contacts) : DEFAULT_CONTACTS[engine];
  if (engine === 'pglite') {
    results.push(await runEngine('pglite', contacts));
    continue;
  }
  const given = opts['database-url'] ?? process.env.HAVEN_BENCH_DATABASE_URL;
  const target = given
    ? await createBenchDatabase(given)
    : await throwawayCluster({ settings: ['shared_preload_libraries=pg_stat_statements', 'pg_stat_statements.max=1000'] });
  if (!target) {
    log('PostgreSQL skipped: no --database-url and no PostgreSQL binaries under /usr/lib/postgresql');
    continue;
  }
  try {
    results.push(await runEngine('postgres', contacts, target));
  } finally {
    if (!KEEP) await target.dispose();
  }
}
const text = report(results, loadBefore);
process.stdout.write(`\n${text}\n`);
if (opts.json) {
  const doc = { at: new Date().toISOString(), callers: CALLERS, seconds: SECONDS, warmup: WARMUP, funnelRuns: FUNNEL_RUNS, results };
  writeFileSync(opts.json, `${JSON.stringify(doc, null, 2)}\n`);
}
