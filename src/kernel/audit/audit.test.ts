import { randomBytes } from 'node:crypto';
import fc from 'fast-check';
import { sql } from 'kysely';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { engineName, testDatabase } from '../../testing/database.ts';
import { loadConfig } from '../config.ts';
import { type HavenDatabase, openPostgres } from '../db/database.ts';
import { migrate } from '../db/migrate.ts';
import { RequestContext } from '../http/context.ts';
import { ephemeralKeyRing } from '../vault/keyring.ts';
import { type AuditActor, appendAudit, canonicalJson, recordAudit, SYSTEM_ACTOR, verifyAudit } from './audit.ts';

let database: HavenDatabase;
const actor: AuditActor = { userId: null, organisationId: null, role: 'coordinator', requestId: 'req-1', ip: '192.0.2.1' };

beforeAll(async () => {
  database = await testDatabase();
});
afterAll(() => database.close());

const count = async () =>
  Number(
    (
      await database.db
        .selectFrom('audit_events')
        .select((eb) => eb.fn.countAll().as('n'))
        .executeTakeFirstOrThrow()
    ).n,
  );
const lastSeq = async () => (await database.db.selectFrom('audit_head').select('last_seq').executeTakeFirstOrThrow()).last_seq;

/** Tampers inside a transaction as a database superuser would, checks, then rolls everything back. */
async function tampered<T>(
  how: 'disable_trigger' | 'replica',
  change: (tx: Parameters<typeof verifyAudit>[0]) => Promise<unknown>,
  check: (tx: Parameters<typeof verifyAudit>[0]) => Promise<T>,
) {
  const rollback = new Error('rollback');
  let result: T | undefined;
  await expect(
    database.db.transaction().execute(async (tx) => {
      if (how === 'disable_trigger') await sql`ALTER TABLE audit_events DISABLE TRIGGER USER`.execute(tx);
      else await sql`SET LOCAL session_replication_role = replica`.execute(tx);
      await change(tx);
      result = await check(tx);
      throw rollback;
    }),
  ).rejects.toBe(rollback);
  return result as T;
}

describe('the hash chain', () => {
  it('stays gap-free and verifiable when many transactions append at once', async () => {
    const before = await lastSeq();
    const writers = Array.from({ length: 40 }, (_, i) =>
      database.db.transaction().execute(async (tx) => {
        // Some work in the transaction before its events, so that writers overlap.
        await sql`SELECT 1`.execute(tx);
        const events = Array.from({ length: 1 + (i % 3) }, (_, j) => ({
          action: 'test.concurrent' as const,
          recordType: 'test',
          recordId: `${i}-${j}`,
          details: { i, j, nested: { b: 2, a: [1, 'x', null] } },
        }));
        await appendAudit(tx, { ...actor, requestId: `req-${i}` }, events);
      }),
    );
    await Promise.all(writers);
    const expected = Array.from({ length: 40 }, (_, i) => 1 + (i % 3)).reduce((a, b) => a + b, 0);
    const rows = await database.db.selectFrom('audit_events').select(['seq', 'prev_hash', 'hash']).where('seq', '>', before).orderBy('seq').execute();
    expect(rows).toHaveLength(expected);
    rows.forEach((r, i) => {
      expect(r.seq).toBe(before + i + 1);
      if (i > 0) expect(r.prev_hash).toBe(rows[i - 1]?.hash);
    });
    const v = await verifyAudit(database.db);
    expect(v).toMatchObject({ ok: true, checked: before + expected, lastSeq: before + expected });
    expect(v.broken).toBeUndefined();
  });

  it.runIf(engineName === 'postgres')(
    'does not hold the chain while a writer’s transaction is still open: a later writer commits first and is numbered first',
    async () => {
      const before = await lastSeq();
      let releaseSlow: () => void = () => {};
      const slowMayCommit = new Promise<void>((resolve) => {
        releaseSlow = resolve;
      });
      let slowAppended: () => void = () => {};
      const appended = new Promise<void>((resolve) => {
        slowAppended = resolve;
      });
      const slow = database.db.transaction().execute(async (tx) => {
        await appendAudit(tx, actor, [
          { action: 'test.slow', recordId: 'a' },
          { action: 'test.slow', recordId: 'b' },
        ]);
        slowAppended();
        await slowMayCommit;
      });
      await appended;
      // Before this change the head was locked by the open transaction and this waited for it.
      const fast = database.db.transaction().execute((tx) => appendAudit(tx, actor, [{ action: 'test.fast' }]));
      const first = await Promise.race([fast.then(() => 'fast'), new Promise((r) => setTimeout(() => r('timed out'), 5_000))]);
      releaseSlow();
      await slow;
      expect(first).toBe('fast');
      const rows = await database.db.selectFrom('audit_events').select(['seq', 'action', 'record_id']).where('seq', '>', before).orderBy('seq').execute();
      expect(rows.map((r) => [r.action, r.record_id])).toEqual([
        ['test.fast', null],
        ['test.slow', 'a'],
        ['test.slow', 'b'],
      ]);
      expect((await verifyAudit(database.db)).ok).toBe(true);
    },
  );

  it('links nothing until the commit, and leaves nothing pending after it', async () => {
    const before = await lastSeq();
    await database.db.transaction().execute(async (tx) => {
      await appendAudit(tx, actor, [{ action: 'test.pending' }]);
      expect((await tx.selectFrom('audit_head').select('last_seq').executeTakeFirstOrThrow()).last_seq).toBe(before);
    });
    expect(await lastSeq()).toBe(before + 1);
    const pending = await database.db
      .selectFrom('audit_pending')
      .select((eb) => eb.fn.countAll().as('n'))
      .executeTakeFirstOrThrow();
    expect(Number(pending.n)).toBe(0);
  });

  it('verifies across several batches', async () => {
    await recordAudit(database.db, SYSTEM_ACTOR, [{ action: 'test.batch' }, { action: 'test.batch' }]);
    const n = await count();
    expect(await verifyAudit(database.db, 7)).toMatchObject({ ok: true, checked: n, lastSeq: n });
  });

  it('keeps what it hashed: details come back from jsonb with the same canonical text', async () => {
    const details = { z: 'é ü 漢字 "quoted" \\ back', a: { y: [3, 2, 1], x: true }, n: 0.1 + 0.2, big: 2 ** 52, neg: -0, empty: {} };
    await recordAudit(database.db, actor, [{ action: 'test.unicode', details }]);
    const row = await database.db.selectFrom('audit_events').select('details').where('action', '=', 'test.unicode').executeTakeFirstOrThrow();
    expect(canonicalJson(row.details)).toBe(canonicalJson(JSON.parse(canonicalJson(details))));
    expect((await verifyAudit(database.db)).ok).toBe(true);
  });

  it('names an altered row', async () => {
    const n = await count();
    const target = Math.floor(n / 2);
    const v = await tampered(
      'disable_trigger',
      (tx) => tx.updateTable('audit_events').set({ outcome: 'failure' }).where('seq', '=', target).execute(),
      (tx) => verifyAudit(tx),
    );
    expect(v).toMatchObject({ ok: false, broken: { seq: target, reason: 'altered' }, checked: target - 1 });
  });

  it('names an altered row whose details changed (session_replication_role = replica)', async () => {
    const v = await tampered(
      'replica',
      (tx) => sql`UPDATE audit_events SET details = jsonb_set(details, '{i}', '999') WHERE seq = 3`.execute(tx),
      (tx) => verifyAudit(tx),
    );
    expect(v).toMatchObject({ ok: false, broken: { seq: 3, reason: 'altered' } });
  });

  it('names the next row when an altered row was given a fresh hash', async () => {
    const v = await tampered(
      'disable_trigger',
      async (tx) => {
        const r = await tx.selectFrom('audit_events').selectAll().where('seq', '=', 5).executeTakeFirstOrThrow();
        const { hashAuditRow } = await import('./audit.ts');
        const forged = { ...r, action: 'test.forged', at: new Date(r.at) };
        await tx
          .updateTable('audit_events')
          .set({ action: forged.action, hash: hashAuditRow(forged) })
          .where('seq', '=', 5)
          .execute();
      },
      (tx) => verifyAudit(tx),
    );
    expect(v).toMatchObject({ ok: false, broken: { seq: 6, reason: 'out_of_chain' } });
  });

  it('names a deleted row in the middle', async () => {
    const v = await tampered(
      'disable_trigger',
      (tx) => tx.deleteFrom('audit_events').where('seq', '=', 10).execute(),
      (tx) => verifyAudit(tx),
    );
    expect(v).toMatchObject({ ok: false, broken: { seq: 10, reason: 'missing' }, checked: 9 });
  });

  it('names a deleted last row (the head still remembers it)', async () => {
    const n = await count();
    const v = await tampered(
      'replica',
      (tx) => tx.deleteFrom('audit_events').where('seq', '=', n).execute(),
      (tx) => verifyAudit(tx),
    );
    expect(v).toMatchObject({ ok: false, broken: { seq: n, reason: 'tail_missing' }, checked: n - 1 });
  });

  it('names a row added behind the chain’s back', async () => {
    const n = await count();
    const v = await tampered(
      'disable_trigger',
      async (tx) => {
        const last = await tx.selectFrom('audit_events').selectAll().where('seq', '=', n).executeTakeFirstOrThrow();
        const { hashAuditRow } = await import('./audit.ts');
        const row = { ...last, seq: n + 1, at: new Date(), action: 'test.forged', prev_hash: last.hash, details: {} };
        await tx
          .insertInto('audit_events')
          .values({ ...row, details: '{}', hash: hashAuditRow(row) })
          .execute();
      },
      (tx) => verifyAudit(tx),
    );
    expect(v).toMatchObject({ ok: false, broken: { seq: n + 1, reason: 'out_of_chain' } });
  });

  it('is intact again once the tampering transactions rolled back', async () => {
    expect((await verifyAudit(database.db)).ok).toBe(true);
  });
});

describe('append-only', () => {
  it('refuses UPDATE, DELETE and TRUNCATE from the application', async () => {
    await expect(database.db.updateTable('audit_events').set({ action: 'test.rewritten' }).where('seq', '=', 1).execute()).rejects.toThrow(/append-only/);
    await expect(database.db.deleteFrom('audit_events').where('seq', '=', 1).execute()).rejects.toThrow(/append-only/);
    await expect(sql`TRUNCATE audit_events`.execute(database.db)).rejects.toThrow(/append-only/);
    expect((await verifyAudit(database.db)).ok).toBe(true);
  });

  it('leaves no audit row behind a rolled-back transaction, and no gap after it', async () => {
    const before = await lastSeq();
    const n = await count();
    const config = loadConfig({ NODE_ENV: 'test', HAVEN_DATA_DIR: '/nonexistent' });
    const ctx = new RequestContext(
      { db: database.db, kind: database.kind, keys: ephemeralKeyRing(), config },
      { requestId: 'req-rollback', ip: '127.0.0.1', locale: 'en', session: null },
    );
    await expect(
      ctx.write(async (_tx, audit) => {
        audit({ action: 'test.rolled_back' });
        throw new Error('the change failed');
      }),
    ).rejects.toThrow('the change failed');
    // An error after the events were appended, inside the same transaction.
    await expect(
      database.db.transaction().execute(async (tx) => {
        await appendAudit(tx, actor, [{ action: 'test.rolled_back' }]);
        await sql`SELECT 1/0`.execute(tx);
      }),
    ).rejects.toThrow();
    expect(await count()).toBe(n);
    expect(await lastSeq()).toBe(before);
    expect(await database.db.selectFrom('audit_events').select('seq').where('action', '=', 'test.rolled_back').execute()).toEqual([]);
    await ctx.write(async (_tx, audit) => audit({ action: 'test.committed' }));
    const row = await database.db.selectFrom('audit_events').selectAll().where('action', '=', 'test.committed').executeTakeFirstOrThrow();
    expect(row.seq).toBe(before + 1);
    expect(row.request_id).toBe('req-rollback');
    expect((await verifyAudit(database.db)).ok).toBe(true);
  });

  it.runIf(engineName === 'postgres')('refuses UPDATE and DELETE to the role that owns the tables, even with the trigger disabled', async () => {
    const admin = new pg.Client({ connectionString: process.env.HAVEN_TEST_DATABASE_URL });
    await admin.connect();
    const suffix = randomBytes(4).toString('hex');
    const role = `haven_app_${suffix}`;
    const dbName = `haven_owned_${suffix}`;
    await admin.query(`CREATE ROLE ${role} LOGIN PASSWORD 'app'`);
    await admin.query(`CREATE DATABASE ${dbName} OWNER ${role}`);
    const url = new URL(process.env.HAVEN_TEST_DATABASE_URL as string);
    url.username = role;
    url.password = 'app';
    url.pathname = `/${dbName}`;
    const app = openPostgres(url.toString(), 2);
    try {
      await migrate(app);
      await recordAudit(app.db, actor, [{ action: 'test.owned' }]);
      await sql`ALTER TABLE audit_events DISABLE TRIGGER USER`.execute(app.db);
      await expect(app.db.updateTable('audit_events').set({ action: 'test.rewritten' }).execute()).rejects.toThrow(/permission denied/);
      await expect(app.db.deleteFrom('audit_events').execute()).rejects.toThrow(/permission denied/);
      await expect(sql`TRUNCATE audit_events`.execute(app.db)).rejects.toThrow(/permission denied/);
      // Appending still works.
      await recordAudit(app.db, actor, [{ action: 'test.owned' }]);
      expect(await verifyAudit(app.db)).toMatchObject({ ok: true, checked: 2 });
    } finally {
      await app.close();
      await admin.query(`DROP DATABASE IF EXISTS ${dbName} WITH (FORCE)`);
      await admin.query(`DROP ROLE IF EXISTS ${role}`);
      await admin.end();
    }
  });
});

describe('canonicalJson', () => {
  // Objects built from the same entries in another order.
  const entries = fc.uniqueArray(fc.tuple(fc.string(), fc.jsonValue()), { selector: ([k]) => k, maxLength: 8 });

  it('gives the same text whatever the key order', () => {
    fc.assert(
      fc.property(entries, fc.func(fc.integer()), (list, rank) => {
        const shuffled = [...list].sort(([a], [b]) => rank(a) - rank(b) || (a < b ? -1 : 1));
        return canonicalJson(Object.fromEntries(list)) === canonicalJson(Object.fromEntries(shuffled));
      }),
    );
  });

  it('is stable at every depth and round-trips through JSON', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (v) => {
        const text = canonicalJson(v);
        const again = canonicalJson(JSON.parse(text));
        return text === again && canonicalJson(JSON.parse(JSON.stringify(v))) === text;
      }),
    );
  });

  it('sorts keys and drops undefined', () => {
    expect(canonicalJson({ b: 1, a: { d: [2, { f: 1, e: undefined }], c: null } })).toBe('{"a":{"c":null,"d":[2,{"f":1}]},"b":1}');
    expect(canonicalJson(new Date('2024-12-31T23:00:00Z'))).toBe('"2024-12-31T23:00:00.000Z"');
  });
});
