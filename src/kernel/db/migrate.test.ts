import { createHash, randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { sql } from 'kysely';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { engineName, testDatabase } from '../../testing/database.ts';
import { type HavenDatabase, openPostgres } from './database.ts';
import { discoverMigrations, type Migration, MigrationError, migrate } from './migrate.ts';

const migration = (name: string, text: string): Migration => ({
  name,
  file: `test/${name}.sql`,
  sql: text,
  checksum: createHash('sha256').update(text).digest('hex'),
});

let database: HavenDatabase;
const real = discoverMigrations();
beforeAll(async () => {
  database = await testDatabase();
});
afterAll(() => database.close());

const applied = async () => (await database.db.selectFrom('haven_migrations').select(['name', 'checksum']).orderBy('name').execute()).map((r) => r.name);
const tableExists = async (name: string) =>
  (await sql<{ n: number }>`SELECT count(*)::int AS n FROM information_schema.tables WHERE table_name = ${name}`.execute(database.db)).rows[0]?.n === 1;

describe('migrations', () => {
  it('were applied once each, in order, by the test database', async () => {
    expect(real.length).toBeGreaterThanOrEqual(3);
    expect(await applied()).toEqual(real.map((m) => m.name));
    const names = real.map((m) => m.name);
    expect([...names].sort()).toEqual(names);
  });

  it('run again as a no-op', async () => {
    expect(await migrate(database)).toEqual([]);
    expect(await applied()).toEqual(real.map((m) => m.name));
  });

  it('apply a new migration once', async () => {
    const extra = migration('209901010000_test_extra', 'CREATE TABLE test_extra (id int PRIMARY KEY); INSERT INTO test_extra VALUES (1);');
    expect(await migrate(database, [...real, extra])).toEqual(['209901010000_test_extra']);
    expect(await migrate(database, [...real, extra])).toEqual([]);
    const rows = await sql<{ id: number }>`SELECT id FROM test_extra`.execute(database.db);
    expect(rows.rows).toEqual([{ id: 1 }]);
  });

  it('refuse to start when an applied migration was edited', async () => {
    const edited = real.map((m, i) => (i === 1 ? migration(m.name, `${m.sql}\n-- edited afterwards\n`) : m));
    const extra = migration('209901010000_test_extra', 'CREATE TABLE test_extra (id int PRIMARY KEY); INSERT INTO test_extra VALUES (1);');
    await expect(migrate(database, [...edited, extra])).rejects.toThrow(MigrationError);
    await expect(migrate(database, [...edited, extra])).rejects.toThrow(/changed after it was applied/);
  });

  it('are forward-only: a database newer than the code is refused', async () => {
    await expect(migrate(database, real)).rejects.toThrow(/209901010000_test_extra, which this version of Haven does not know/);
  });

  it('leave nothing behind when one fails, and stop there', async () => {
    const extra = migration('209901010000_test_extra', 'CREATE TABLE test_extra (id int PRIMARY KEY); INSERT INTO test_extra VALUES (1);');
    const broken = migration('209901020000_test_broken', 'CREATE TABLE test_half (id int); SELECT no_such_function();');
    const after = migration('209901030000_test_after', 'CREATE TABLE test_after (id int);');
    await expect(migrate(database, [...real, extra, broken, after])).rejects.toThrow(/no_such_function/);
    expect(await tableExists('test_half')).toBe(false);
    expect(await tableExists('test_after')).toBe(false);
    expect(await applied()).not.toContain('209901020000_test_broken');
    // Fixed, it goes through.
    const fixed = migration('209901020000_test_broken', 'CREATE TABLE test_half (id int);');
    expect(await migrate(database, [...real, extra, fixed, after])).toEqual(['209901020000_test_broken', '209901030000_test_after']);
  });
});

describe('discovery', () => {
  const root = mkdtempSync(path.join(tmpdir(), 'haven-migrations-'));
  afterAll(() => rmSync(root, { recursive: true, force: true }));
  const write = (rel: string, text = 'SELECT 1;') => {
    mkdirSync(path.dirname(path.join(root, rel)), { recursive: true });
    writeFileSync(path.join(root, rel), text);
  };

  it('orders migrations of the kernel and every module by their timestamp', () => {
    write('kernel/db/migrations/202601010000_kernel.sql');
    write('modules/zeta/migrations/202601010100_zeta.sql');
    write('modules/alpha/migrations/202601010200_alpha.sql');
    write('modules/alpha/migrations/README.md', 'not a migration');
    mkdirSync(path.join(root, 'modules/nomigrations'), { recursive: true });
    const found = discoverMigrations(root);
    expect(found.map((m) => m.name)).toEqual(['202601010000_kernel', '202601010100_zeta', '202601010200_alpha']);
    expect(found[1]?.file).toBe(path.join('modules/zeta/migrations/202601010100_zeta.sql'));
    expect(found[0]?.checksum).toBe(createHash('sha256').update('SELECT 1;').digest('hex'));
  });

  it('refuses a file name without its timestamp, and two migrations with one name', () => {
    write('modules/beta/migrations/add_things.sql');
    expect(() => discoverMigrations(root)).toThrow(/YYYYMMDDHHMM_name\.sql: add_things\.sql/);
    rmSync(path.join(root, 'modules/beta/migrations/add_things.sql'));
    write('modules/beta/migrations/202601010200_alpha.sql');
    expect(() => discoverMigrations(root)).toThrow(/share a name/);
  });
});

describe.runIf(engineName === 'postgres')('several processes starting at once', () => {
  it('apply each migration once when two connections migrate an empty database concurrently', async () => {
    const adminUrl = process.env.HAVEN_TEST_DATABASE_URL as string;
    for (let round = 0; round < 3; round++) {
      const name = `haven_race_${randomBytes(5).toString('hex')}`;
      const admin = new pg.Client({ connectionString: adminUrl });
      await admin.connect();
      await admin.query(`CREATE DATABASE ${name}`);
      const url = new URL(adminUrl);
      url.pathname = `/${name}`;
      const a = openPostgres(url.toString(), 3);
      const b = openPostgres(url.toString(), 3);
      try {
        const [doneA, doneB] = await Promise.all([migrate(a), migrate(b)]);
        expect([...doneA, ...doneB].sort()).toEqual(real.map((m) => m.name));
        const rows = await a.db.selectFrom('haven_migrations').select('name').execute();
        expect(rows).toHaveLength(real.length);
        expect(await migrate(a)).toEqual([]);
      } finally {
        await a.close();
        await b.close();
        await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
        await admin.end();
      }
    }
  });
});
