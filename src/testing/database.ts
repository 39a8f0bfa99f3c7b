import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { type HavenDatabase, openEmbedded, openPostgres } from '../kernel/db/database.ts';
import { migrate } from '../kernel/db/migrate.ts';

/**
 * A fresh, migrated database for one test file: in-memory PGlite, or — when
 * HAVEN_TEST_DATABASE_URL is set — a new database on that PostgreSQL server, dropped afterwards.
 */
export async function testDatabase(): Promise<HavenDatabase & { name: string }> {
  const adminUrl = process.env.HAVEN_TEST_DATABASE_URL;
  if (!adminUrl) {
    const database = await openEmbedded(undefined);
    await migrate(database);
    return Object.assign(database, { name: 'pglite:memory' });
  }
  const name = `haven_test_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  const database = openPostgres(url.toString(), 10);
  await migrate(database);
  const close = database.close.bind(database);
  return Object.assign(database, {
    name,
    async close() {
      await close();
      const a = new pg.Client({ connectionString: adminUrl });
      await a.connect();
      await a.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await a.end();
    },
  });
}

export const engineName = process.env.HAVEN_TEST_DATABASE_URL ? 'postgres' : 'pglite';
