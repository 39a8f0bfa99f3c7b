/**
 * For tests of a `haven …` command as an operator runs it: a data folder, the database the command
 * will open (embedded in that folder, or a fresh PostgreSQL database), and a way to run it.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { type HavenDatabase, openEmbedded } from '../kernel/db/database.ts';
import { migrate } from '../kernel/db/migrate.ts';
import { engineName, testDatabase } from '../testing/database.ts';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const NODE = path.join(ROOT, 'node_modules/.bin/node');

export interface CliRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

export interface CliSite {
  dataDir: string;
  env: Record<string, string>;
  /** Opens the database the command will use, runs fn, closes it (the embedded one takes a lock). */
  withDatabase<T>(fn: (database: HavenDatabase) => Promise<T>): Promise<T>;
  run(args: string[], extraEnv?: Record<string, string>): Promise<CliRun>;
  close(): Promise<void>;
}

export async function cliSite(prefix: string): Promise<CliSite> {
  const dataDir = mkdtempSync(path.join(tmpdir(), `haven-cli-${prefix}-`));
  let env: Record<string, string>;
  let withDatabase: CliSite['withDatabase'];
  let cleanup: () => Promise<void>;
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
        await migrate(database);
        return await fn(database);
      } finally {
        await database.close();
      }
    };
    cleanup = async () => {};
  }
  return {
    dataDir,
    env,
    withDatabase,
    run(args, extraEnv = {}) {
      const base = { ...process.env };
      delete base.DATABASE_URL;
      delete base.HAVEN_MASTER_KEY;
      delete base.HAVEN_PREVIOUS_MASTER_KEYS;
      delete base.HAVEN_TEST_DATABASE_URL;
      // The messages' language is the test's choice (--lang or extraEnv), not the machine's locale.
      for (const v of ['HAVEN_LANG', 'LC_ALL', 'LC_MESSAGES', 'LANG']) delete base[v];
      return new Promise((resolve, reject) => {
        const child = spawn(NODE, [path.join(ROOT, 'bin/haven.mjs'), ...args], {
          cwd: ROOT,
          env: { ...base, NODE_ENV: 'test', HAVEN_LOG_LEVEL: 'silent', ...env, ...extraEnv },
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
    },
    async close() {
      await cleanup();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
