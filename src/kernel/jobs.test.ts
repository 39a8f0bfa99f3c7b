import { setTimeout as sleep } from 'node:timers/promises';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { engineName, testDatabase } from '../testing/database.ts';
import { type HavenDatabase, openPostgres } from './db/database.ts';
import { brusselsDay, type JobLog, runOncePerDay, startDailyJobs } from './jobs.ts';

let database: HavenDatabase & { name: string };
beforeAll(async () => {
  database = await testDatabase();
});
afterAll(() => database.close());

let n = 0;
const jobName = () => `test.job-${n++}`;

describe('brusselsDay', () => {
  it('gives the calendar day in Brussels, not in UTC', () => {
    expect(brusselsDay(new Date('2026-06-30T22:30:00Z'))).toBe('2026-07-01'); // summer, UTC+2
    expect(brusselsDay(new Date('2026-12-31T22:59:59Z'))).toBe('2026-12-31'); // winter, UTC+1
    expect(brusselsDay(new Date('2026-12-31T23:00:00Z'))).toBe('2027-01-01');
  });
});

describe('runOncePerDay', () => {
  it('runs the job, then records when it finished and what it returned', async () => {
    const job = jobName();
    const first = await runOncePerDay(database.db, job, '2026-11-23', async () => ({ purged: 3 }));
    expect(first).toEqual({ ran: true, result: { purged: 3 } });
    const again = await runOncePerDay(database.db, job, '2026-11-23', async () => ({ purged: 99 }));
    expect(again).toEqual({ ran: false });
    const row = await database.db.selectFrom('scheduled_runs').selectAll().where('job', '=', job).executeTakeFirstOrThrow();
    expect(row.run_on).toBe('2026-11-23');
    expect(row.finished_at).toBeInstanceOf(Date);
    expect(row.result).toEqual({ purged: 3 });
  });

  it('runs again on another day', async () => {
    const job = jobName();
    expect((await runOncePerDay(database.db, job, '2026-11-23', async () => ({}))).ran).toBe(true);
    expect((await runOncePerDay(database.db, job, '2026-11-24', async () => ({}))).ran).toBe(true);
  });

  it('refuses a day that is not yyyy-mm-dd', async () => {
    await expect(runOncePerDay(database.db, jobName(), '23/11/2026', async () => ({}))).rejects.toThrow(/yyyy-mm-dd/);
  });

  it('runs exactly once when 10 callers race for the same day', async () => {
    const job = jobName();
    let runs = 0;
    const outcomes = await Promise.all(
      Array.from({ length: 10 }, () =>
        runOncePerDay(database.db, job, '2026-11-23', async (tx) => {
          runs += 1;
          await sql`SELECT pg_sleep(0.02)`.execute(tx);
          return { runs };
        }),
      ),
    );
    expect(runs).toBe(1);
    expect(outcomes.filter((o) => o.ran)).toHaveLength(1);
    const rows = await database.db.selectFrom('scheduled_runs').select('job').where('job', '=', job).execute();
    expect(rows).toHaveLength(1);
  });

  it('rolls the claim back with the work when the job fails, so a later check runs it', async () => {
    const job = jobName();
    await database.db.schema.createTable('job_side_effects').ifNotExists().addColumn('job', 'text').execute();
    await expect(
      runOncePerDay(database.db, job, '2026-11-23', async (tx) => {
        await tx
          .insertInto('job_side_effects' as never)
          .values({ job } as never)
          .execute();
        throw new Error('disk full');
      }),
    ).rejects.toThrow('disk full');
    expect(await database.db.selectFrom('scheduled_runs').select('job').where('job', '=', job).execute()).toHaveLength(0);
    const effects = await sql<{ n: number }>`SELECT count(*)::int AS n FROM job_side_effects WHERE job = ${job}`.execute(database.db);
    expect(effects.rows[0]?.n).toBe(0);
    const retry = await runOncePerDay(database.db, job, '2026-11-23', async () => ({ retried: true }));
    expect(retry).toEqual({ ran: true, result: { retried: true } });
  });

  it.skipIf(engineName !== 'postgres')('runs exactly once across several processes (pools) on PostgreSQL', async () => {
    const url = new URL(process.env.HAVEN_TEST_DATABASE_URL as string);
    url.pathname = `/${database.name}`;
    const pools = [openPostgres(url.toString(), 5), openPostgres(url.toString(), 5), openPostgres(url.toString(), 5)];
    try {
      const job = jobName();
      let runs = 0;
      const outcomes = await Promise.all(
        pools.flatMap((p) =>
          Array.from({ length: 5 }, () =>
            runOncePerDay(p.db, job, '2026-11-23', async (tx) => {
              runs += 1;
              await sql`SELECT pg_sleep(0.1)`.execute(tx);
              return {};
            }),
          ),
        ),
      );
      expect(runs).toBe(1);
      expect(outcomes.filter((o) => o.ran)).toHaveLength(1);
      // The first claimant fails or not: the claim of a failed run is rolled back and another
      // process, waiting on it, takes it. In the end exactly one run is recorded.
      const failing = jobName();
      const settled = await Promise.allSettled(
        pools.map((p, i) =>
          runOncePerDay(p.db, failing, '2026-11-23', async (tx) => {
            await sql`SELECT pg_sleep(0.05)`.execute(tx);
            if (i === 0) throw new Error('the first process fails');
            return { by: i };
          }),
        ),
      );
      expect(settled.filter((f) => f.status === 'fulfilled' && f.value.ran)).toHaveLength(1);
      const rows = await database.db.selectFrom('scheduled_runs').select('result').where('job', '=', failing).execute();
      expect(rows).toHaveLength(1);
    } finally {
      await Promise.all(pools.map((p) => p.close()));
    }
  });
});

describe('startDailyJobs', () => {
  const quiet: JobLog = { info() {}, error() {} };

  it('checks shortly after start, runs each job once a day, and again the next day', async () => {
    let now = new Date('2026-11-23T08:00:00Z');
    const name = jobName();
    const days: string[] = [];
    const stop = startDailyJobs(
      database.db,
      [
        {
          name,
          run: async (_tx, deps) => {
            days.push(brusselsDay(deps.now));
            expect(deps.actor.role).toBe('system');
            return {};
          },
        },
      ],
      { now: () => now, firstDelayMs: 0, intervalMs: 10, log: quiet },
    );
    try {
      await sleep(100);
      expect(days).toEqual(['2026-11-23']);
      now = new Date('2026-11-24T08:00:00Z');
      await sleep(100);
      expect(days).toEqual(['2026-11-23', '2026-11-24']);
    } finally {
      await stop();
    }
  });

  it('logs a failed job and tries it again at the next check', async () => {
    const name = jobName();
    let attempts = 0;
    const errors: unknown[] = [];
    const stop = startDailyJobs(
      database.db,
      [
        {
          name,
          run: async () => {
            attempts += 1;
            if (attempts < 3) throw new Error('not yet');
            return { attempts };
          },
        },
      ],
      { firstDelayMs: 0, intervalMs: 10, log: { info() {}, error: (obj) => errors.push(obj.err) } },
    );
    try {
      await sleep(200);
    } finally {
      await stop();
    }
    expect(attempts).toBe(3);
    expect(errors).toHaveLength(2);
    const row = await database.db.selectFrom('scheduled_runs').select('result').where('job', '=', name).executeTakeFirstOrThrow();
    expect(row.result).toEqual({ attempts: 3 });
  });

  it('stop waits for a check under way and no check starts afterwards', async () => {
    const name = jobName();
    let finished = false;
    let runs = 0;
    const stop = startDailyJobs(
      database.db,
      [
        {
          name,
          run: async () => {
            runs += 1;
            await sleep(50);
            finished = true;
            return {};
          },
        },
      ],
      { firstDelayMs: 0, intervalMs: 5, now: () => new Date(Date.UTC(2026, 0, 1 + runs)), log: quiet },
    );
    await sleep(10);
    await stop();
    expect(finished).toBe(true);
    const runsAtStop = runs;
    await sleep(50);
    expect(runs).toBe(runsAtStop);
  });
});
