import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { sql } from 'kysely';
import type { HavenDatabase } from './database.ts';

const SRC = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

export interface Migration {
  name: string;
  file: string;
  sql: string;
  checksum: string;
}

/**
 * Migrations live beside the code they serve: `src/kernel/db/migrations/*.sql` and
 * `src/modules/<module>/migrations/*.sql`. File names start with a timestamp (YYYYMMDDHHMM_), so
 * one global order holds across modules. Forward-only: an applied file must never change.
 */
export function discoverMigrations(srcDir = SRC): Migration[] {
  const dirs = [path.join(srcDir, 'kernel/db/migrations')];
  const modulesDir = path.join(srcDir, 'modules');
  for (const entry of readdirSync(modulesDir, { withFileTypes: true })) {
    if (entry.isDirectory()) dirs.push(path.join(modulesDir, entry.name, 'migrations'));
  }
  const found: Migration[] = [];
  for (const dir of dirs) {
    let files: string[];
    try {
      files = readdirSync(dir);
    } catch {
      continue;
    }
    for (const f of files) {
      if (!f.endsWith('.sql')) continue;
      if (!/^\d{12}_[a-z0-9_]+\.sql$/.test(f)) throw new Error(`Migration file name must be YYYYMMDDHHMM_name.sql: ${f}`);
      const text = readFileSync(path.join(dir, f), 'utf8');
      found.push({
        name: f.replace(/\.sql$/, ''),
        file: path.relative(srcDir, path.join(dir, f)),
        sql: text,
        checksum: createHash('sha256').update(text).digest('hex'),
      });
    }
  }
  found.sort((a, b) => a.name.localeCompare(b.name));
  for (let i = 1; i < found.length; i++) {
    if (found[i]?.name === found[i - 1]?.name) throw new Error(`Two migrations share a name: ${found[i]?.name}`);
  }
  return found;
}

export class MigrationError extends Error {}

// Any constant: the advisory lock that keeps two Haven processes from migrating at once.
const MIGRATION_LOCK = 7_240_001;

/** Applies pending migrations in order, each in its own transaction. Returns the names applied. */
export async function migrate(database: HavenDatabase, migrations = discoverMigrations()): Promise<string[]> {
  const { db } = database;
  return database.withAdvisoryLock(MIGRATION_LOCK, async () => {
    // Under the lock too: two CREATE TABLE IF NOT EXISTS at once can both try to create it.
    await sql`CREATE TABLE IF NOT EXISTS haven_migrations (
      name text PRIMARY KEY,
      checksum text NOT NULL,
      applied_at timestamptz NOT NULL DEFAULT now()
    )`.execute(db);
    const rows = await db.selectFrom('haven_migrations').select(['name', 'checksum']).execute();
    const applied = new Map(rows.map((r) => [r.name, r.checksum]));
    for (const [name, checksum] of applied) {
      const m = migrations.find((x) => x.name === name);
      if (!m) throw new MigrationError(`The database has migration ${name}, which this version of Haven does not know. Is it older than the database?`);
      if (m.checksum !== checksum)
        throw new MigrationError(`Migration ${m.file} was changed after it was applied. Migrations are forward-only: add a new one instead.`);
    }
    const done: string[] = [];
    for (const m of migrations) {
      if (applied.has(m.name)) continue;
      await database.runScript(m.sql, {
        sql: 'INSERT INTO haven_migrations (name, checksum) VALUES ($1, $2)',
        params: [m.name, m.checksum],
      });
      done.push(m.name);
    }
    return done;
  });
}
