import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { type DatabaseConnection, type Driver, Kysely, PGliteDialect, PostgresDialect, type TransactionSettings } from 'kysely';
import pg from 'pg';
import type { Database } from './schema.ts';

export type { Database } from './schema.ts';
export type Db = Kysely<Database>;
export type DatabaseKind = 'pglite' | 'postgres';

export interface HavenDatabase {
  kind: DatabaseKind;
  db: Db;
  /**
   * Runs a multi-statement SQL script and then one parameterised statement, in one transaction.
   * Only migrations use it: everything else goes through `db` (Kysely).
   */
  runScript(script: string, then: { sql: string; params: unknown[] }): Promise<void>;
  /**
   * Runs fn while holding a session-level advisory lock, so that several Haven processes on one
   * PostgreSQL server do it one at a time. The embedded engine has one process by construction.
   */
  withAdvisoryLock<T>(key: number, fn: () => Promise<T>): Promise<T>;
  close(): Promise<void>;
}

// Same JS types from both engines: int8 as number (counts, sequence numbers stay far below 2^53),
// dates as 'YYYY-MM-DD' strings (never shifted by a time zone).
const INT8 = 20;
const DATE = 1082;
const parsers = { [INT8]: (v: string) => Number(v), [DATE]: (v: string) => v };
pg.types.setTypeParser(INT8, parsers[INT8]);
pg.types.setTypeParser(DATE, parsers[DATE]);

/**
 * PGlite has one connection. Kysely's PGlite driver hands that one connection to every caller at
 * once, so two concurrent requests could interleave inside one transaction. This driver makes
 * the connection a pool of one: callers queue until the previous one releases it.
 */
class SerialDriver implements Driver {
  #inner: Driver;
  #queue: Promise<void> = Promise.resolve();
  constructor(inner: Driver) {
    this.#inner = inner;
  }
  init() {
    return this.#inner.init();
  }
  async acquireConnection(): Promise<DatabaseConnection> {
    let release!: () => void;
    const previous = this.#queue;
    this.#queue = new Promise<void>((resolve) => {
      release = resolve;
    });
    await previous;
    // PGlite runs each query synchronously, so a queue of waiting queries would run back to back
    // in microtasks and keep the event loop from reading new requests (first responses to new
    // connections came seconds late under load). One turn of the loop between queries is fair.
    await new Promise((resolve) => setImmediate(resolve));
    const conn = await this.#inner.acquireConnection();
    releases.set(conn, release);
    return conn;
  }
  async releaseConnection(conn: DatabaseConnection): Promise<void> {
    await this.#inner.releaseConnection(conn);
    const release = releases.get(conn);
    releases.delete(conn);
    release?.();
  }
  beginTransaction(conn: DatabaseConnection, settings: TransactionSettings) {
    return this.#inner.beginTransaction(conn, settings);
  }
  commitTransaction(conn: DatabaseConnection) {
    return this.#inner.commitTransaction(conn);
  }
  rollbackTransaction(conn: DatabaseConnection) {
    return this.#inner.rollbackTransaction(conn);
  }
  destroy() {
    return this.#inner.destroy();
  }
}
const releases = new WeakMap<DatabaseConnection, () => void>();

class SerialPGliteDialect extends PGliteDialect {
  override createDriver(): Driver {
    return new SerialDriver(super.createDriver());
  }
}

export async function openPGlite(dataDir: string | undefined): Promise<PGlite> {
  if (dataDir) mkdirSync(dataDir, { recursive: true });
  const options = { parsers };
  const pglite = dataDir ? await PGlite.create(dataDir, options) : await PGlite.create(options);
  return pglite;
}

/** Embedded database in `dataDir/pglite`, or in memory when dataDir is undefined (tests). */
export async function openEmbedded(dataDir: string | undefined): Promise<HavenDatabase> {
  const pglite = await openPGlite(dataDir ? path.join(dataDir, 'pglite') : undefined);
  const db = new Kysely<Database>({ dialect: new SerialPGliteDialect({ pglite }) });
  return {
    kind: 'pglite',
    db,
    async runScript(script, then) {
      // Through Kysely's connection so the script waits its turn like any other query.
      await db.connection().execute(async () => {
        await pglite.transaction(async (tx) => {
          await tx.exec(script);
          await tx.query(then.sql, then.params);
        });
      });
    },
    withAdvisoryLock: (_key, fn) => fn(),
    async close() {
      await db.destroy();
      if (!pglite.closed) await pglite.close();
    },
  };
}

export function openPostgres(url: string, poolSize = 10): HavenDatabase {
  const pool = new pg.Pool({ connectionString: url, max: poolSize });
  pool.on('error', () => {
    // An idle client lost its server: the pool replaces it; the next query reports real errors.
  });
  const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
  return {
    kind: 'postgres',
    db,
    async runScript(script, then) {
      const client = await pool.connect();
      try {
        await client.query('BEGIN');
        await client.query(script);
        await client.query(then.sql, then.params);
        await client.query('COMMIT');
      } catch (error) {
        await client.query('ROLLBACK').catch(() => {});
        throw error;
      } finally {
        client.release();
      }
    },
    async withAdvisoryLock(key, fn) {
      const client = await pool.connect();
      try {
        await client.query('SELECT pg_advisory_lock($1)', [key]);
        return await fn();
      } finally {
        await client.query('SELECT pg_advisory_unlock($1)', [key]).catch(() => {});
        client.release();
      }
    },
    async close() {
      await db.destroy();
    },
  };
}
