import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { recordAudit, SYSTEM_ACTOR } from '../kernel/audit/audit.ts';
import { type HavenDatabase, openEmbedded } from '../kernel/db/database.ts';
import { migrate } from '../kernel/db/migrate.ts';
import { engineName, testDatabase } from '../testing/database.ts';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const NODE = path.join(ROOT, 'node_modules/.bin/node');

/** `haven audit verify` as an operator runs it, against the database this test prepared. */
function havenAuditVerify(env: Record<string, string>, args: string[] = []): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const base = { ...process.env };
  delete base.DATABASE_URL;
  delete base.HAVEN_MASTER_KEY;
  // The messages' language is the test's choice (--lang or env), not the machine's locale.
  for (const v of ['HAVEN_LANG', 'LC_ALL', 'LC_MESSAGES', 'LANG']) delete base[v];
  return new Promise((resolve, reject) => {
    const child = spawn(NODE, [path.join(ROOT, 'bin/haven.mjs'), 'audit', 'verify', ...args], {
      cwd: ROOT,
      env: { ...base, NODE_ENV: 'test', HAVEN_LOG_LEVEL: 'silent', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => {
      stdout += d;
    });
    child.stderr.on('data', (d) => {
      stderr += d;
    });
    child.on('error', reject);
    child.on('exit', (code) => resolve({ code, stdout, stderr }));
  });
}

let dataDir: string;
let env: Record<string, string>;
/** Opens the database the CLI will read, runs fn on it, closes it (the embedded one takes a lock). */
let withDatabase: (fn: (database: HavenDatabase) => Promise<void>) => Promise<void>;
let cleanup: () => Promise<void>;

beforeAll(async () => {
  dataDir = mkdtempSync(path.join(tmpdir(), 'haven-cli-audit-'));
  if (engineName === 'postgres') {
    const database = await testDatabase();
    const url = new URL(process.env.HAVEN_TEST_DATABASE_URL as string);
    url.pathname = `/${database.name}`;
    env = { DATABASE_URL: url.toString(), HAVEN_DATA_DIR: dataDir };
    withDatabase = (fn) => fn(database);
    cleanup = () => database.close();
  } else {
    env = { HAVEN_DATA_DIR: dataDir };
    withDatabase = async (fn) => {
      const database = await openEmbedded(dataDir);
      try {
        await fn(database);
      } finally {
        await database.close();
      }
    };
    cleanup = async () => {};
  }
  await withDatabase(async (database) => {
    await migrate(database);
    for (let i = 1; i <= 6; i++) await recordAudit(database.db, SYSTEM_ACTOR, [{ action: 'test.cli', recordId: String(i), details: { i } }]);
  });
}, 120_000);

afterAll(async () => {
  await cleanup();
  rmSync(dataDir, { recursive: true, force: true });
});

describe('haven audit verify', () => {
  it('exits 0 and says the trail is intact', async () => {
    const r = await havenAuditVerify(env);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/Audit trail intact: 6 rows, head 6 [0-9a-f]{64}/);
  });

  it('speaks the language of --lang, else HAVEN_LANG, else the locale', async () => {
    const nl = await havenAuditVerify(env, ['--lang', 'nl']);
    expect(nl.code).toBe(0);
    expect(nl.stdout).toMatch(/^Auditlog intact: 6 regels, laatste regel 6 [0-9a-f]{64}\n$/);
    const locale = await havenAuditVerify({ ...env, LANG: 'nl_BE.UTF-8' });
    expect(locale.stdout).toBe(nl.stdout);
    const chosen = await havenAuditVerify({ ...env, LANG: 'nl_BE.UTF-8', HAVEN_LANG: 'de' });
    expect(chosen.stdout).toMatch(/^Prüfprotokoll unversehrt: 6 Zeilen/);
    // The command's --lang wins over HAVEN_LANG.
    const fr = await havenAuditVerify({ ...env, HAVEN_LANG: 'de' }, ['--lang', 'fr']);
    expect(fr.stdout).toMatch(/^Journal d’audit intact : 6 lignes, dernière ligne 6 /);
    // --json is for machines: the same in every language.
    const json = await havenAuditVerify({ ...env, HAVEN_LANG: 'fr' }, ['--json']);
    expect(JSON.parse(json.stdout)).toMatchObject({ ok: true, checked: 6, lastSeq: 6 });
  });

  it('exits 1 and names the altered row', async () => {
    await withDatabase(async (database) => {
      await database.db.transaction().execute(async (tx) => {
        await sql`ALTER TABLE audit_events DISABLE TRIGGER USER`.execute(tx);
        await sql`UPDATE audit_events SET action = 'test.rewritten' WHERE seq = 4`.execute(tx);
        await sql`ALTER TABLE audit_events ENABLE TRIGGER USER`.execute(tx);
      });
    });
    const r = await havenAuditVerify(env);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('BROKEN at row 4 (altered)');
    expect(r.stdout).toContain('3 rows before it hold');
    const json = await havenAuditVerify(env, ['--json']);
    expect(json.code).toBe(1);
    expect(JSON.parse(json.stdout)).toMatchObject({ ok: false, checked: 3, broken: { seq: 4, reason: 'altered' } });
    const nl = await havenAuditVerify(env, ['--lang', 'nl']);
    expect(nl.code).toBe(1);
    expect(nl.stdout).toContain('Auditlog NIET INTACT vanaf regel 4 (gewijzigd); de 3 regels daarvoor kloppen.');
  });
});
