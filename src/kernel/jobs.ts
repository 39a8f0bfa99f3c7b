/**
 * Jobs that run once a day, whichever Haven process gets there first. The claim is a row of
 * `scheduled_runs (job, run_on)`, inserted in the same transaction as the job's work: the first
 * process inserts it and works; any other process's INSERT waits on that row and then finds it
 * taken; a job that throws (or a process that dies) rolls its claim back with its work, so the
 * job runs again at the next check that day. Nothing is kept in memory.
 */
import { sql, type Transaction } from 'kysely';
import { type AuditActor, SYSTEM_ACTOR } from './audit/audit.ts';
import type { Database, Db } from './db/database.ts';
import { TIME_ZONE } from './i18n/locales.ts';
import type { KeyRing } from './vault/keyring.ts';

export type JobTx = Transaction<Database>;
export type JobResult = Record<string, unknown>;

/** What a daily job receives besides the claim's transaction. */
export interface JobDeps {
  /** The moment the check started: a job decides what is due from it, not from the clock. */
  now: Date;
  /** Who the audit trail names: the system. */
  actor: AuditActor;
  keys?: KeyRing;
}

/** A job a module contributes (`HavenModule.dailyJobs`). `run` works inside the claim's transaction. */
export interface DailyJob {
  /** Unique across modules, e.g. `referrals.retention-purge`. */
  name: string;
  run: (tx: JobTx, deps: JobDeps) => Promise<JobResult>;
}

export type RunOnceOutcome = { ran: true; result: JobResult } | { ran: false };

const DAY = /^\d{4}-\d{2}-\d{2}$/;

/** The calendar day of `at` in Europe/Brussels, yyyy-mm-dd. */
export function brusselsDay(at: Date): string {
  return new Intl.DateTimeFormat('en-CA', { timeZone: TIME_ZONE, year: 'numeric', month: '2-digit', day: '2-digit' }).format(at);
}

/**
 * Runs `fn` for (job, day) unless it already ran. The claim and the work share one transaction:
 * of several concurrent callers (connections, processes), exactly one commits a run; the others
 * return `{ ran: false }` once it has committed. When `fn` throws, the claim is rolled back with
 * the work and the error is thrown again: the job may run later that day.
 */
export async function runOncePerDay(db: Db, job: string, day: string, fn: (tx: JobTx) => Promise<JobResult>): Promise<RunOnceOutcome> {
  if (!DAY.test(day)) throw new Error(`runOncePerDay: day must be yyyy-mm-dd, not ${day}`);
  return db.transaction().execute(async (tx) => {
    const claimed = await tx
      .insertInto('scheduled_runs')
      .values({ job, run_on: day, finished_at: null, result: null })
      .onConflict((oc) => oc.columns(['job', 'run_on']).doNothing())
      .returning('job')
      .executeTakeFirst();
    if (!claimed) return { ran: false } as const;
    const result = await fn(tx);
    await tx
      .updateTable('scheduled_runs')
      .set({ finished_at: sql<Date>`clock_timestamp()`, result: JSON.stringify(result) })
      .where('job', '=', job)
      .where('run_on', '=', day)
      .execute();
    return { ran: true, result } as const;
  });
}

export interface JobLog {
  info(obj: Record<string, unknown>, msg: string): void;
  error(obj: Record<string, unknown>, msg: string): void;
}

export interface DailyJobsOptions {
  now?: () => Date;
  /** How often to check whether a job is due: every hour by default. */
  intervalMs?: number;
  /** The first check, shortly after start: 10 seconds by default. */
  firstDelayMs?: number;
  keys?: KeyRing;
  log?: JobLog;
}

const stderrLog: JobLog = {
  info() {},
  error(obj, msg) {
    process.stderr.write(`${JSON.stringify({ level: 'error', msg, ...obj, err: obj.err instanceof Error ? obj.err.message : obj.err })}\n`);
  },
};

/**
 * Checks the jobs shortly after start and then every hour; each runs at most once per Brussels
 * day across every process sharing the database. Returns `stop`, which cancels the timers and
 * waits for a check under way, so the database can be closed after it.
 */
export function startDailyJobs(db: Db, jobs: DailyJob[], opts: DailyJobsOptions = {}): () => Promise<void> {
  const now = opts.now ?? (() => new Date());
  const log = opts.log ?? stderrLog;
  let stopped = false;
  let running: Promise<void> | undefined;

  const check = async () => {
    for (const job of jobs) {
      if (stopped) return;
      const at = now();
      const day = brusselsDay(at);
      try {
        const outcome = await runOncePerDay(db, job.name, day, (tx) => job.run(tx, { now: at, actor: SYSTEM_ACTOR, keys: opts.keys }));
        if (outcome.ran) log.info({ job: job.name, day, result: outcome.result }, 'daily job done');
      } catch (err) {
        log.error({ job: job.name, day, err }, 'daily job failed; it will be tried again at the next check');
      }
    }
  };
  const fire = () => {
    if (stopped || running) return;
    running = check().finally(() => {
      running = undefined;
    });
  };

  const first = setTimeout(fire, opts.firstDelayMs ?? 10_000);
  const every = setInterval(fire, opts.intervalMs ?? 3_600_000);
  first.unref();
  every.unref();
  return async () => {
    stopped = true;
    clearTimeout(first);
    clearInterval(every);
    await running;
  };
}
