/**
 * Import benchmark (issue 3): a generated police export of N rows imported end to end through a
 * running Haven (upload → parse → validate → normalise → hash → seal → stage, then commit into
 * dossiers, contacts and the vault), on PGlite and on PostgreSQL; and in the same run the same
 * file `COPY`ed raw into a plain table of 22 text columns. Reports rows/s of each, the ratio, and
 * the server's peak memory while it imports (sampled from /proc every 100 ms).
 *
 *   node bench/import.ts [--engine pglite|postgres|both] [--rows 100000[,1000000]] [--database-url URL] [--json out.json]
 *
 * PostgreSQL: without --database-url a throwaway cluster is started (as in api-page.ts); with one,
 * the role needs CREATEDB, and COPY FROM a file needs superuser or pg_read_server_files.
 */
import { chmodSync, createReadStream, createWriteStream, mkdtempSync, openAsBlob, rmSync, statSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { pipeline } from 'node:stream/promises';
import { parseArgs } from 'node:util';
import pg from 'pg';
import { loadConfig } from '../src/kernel/config.ts';
import { openPGlite } from '../src/kernel/db/database.ts';
import { lockDataDir } from '../src/kernel/db/lock.ts';
import { hashPassword } from '../src/modules/identity/passwords.ts';
import { newTotpSecret } from '../src/modules/identity/totp.ts';
import { GENK_MUNICIPALITIES, generatePoliceExport } from '../src/modules/referrals/generate.ts';
import { activeProtocol, policeZone } from '../src/modules/referrals/testing.ts';
import { openRuntime } from '../src/server/runtime.ts';
import { type ApiSession, havenEnv, type RunningHaven, signIn, startHaven } from '../test/system/harness.ts';
import { createBenchDatabase, log, memorySampler, type PgTarget, throwawayCluster } from './lib.ts';

const { values: opts } = parseArgs({
  options: {
    engine: { type: 'string', default: 'both' },
    rows: { type: 'string', default: '100000' },
    'database-url': { type: 'string' },
    json: { type: 'string' },
  },
});
const ROW_COUNTS = (opts.rows as string).split(',').map(Number);
const PASSWORD = 'bench password, not a secret';
const COLUMNS = 22;

interface Result {
  engine: 'pglite' | 'postgres';
  rows: number;
  fileMB: number;
  stageSeconds: number;
  commitSeconds: number;
  importRowsPerSecond: number;
  copySeconds: number;
  copyRowsPerSecond: number;
  ratio: number;
  contacts: number;
  server: { idleRssMB: number; peakRssMB: number };
}

async function writeExport(rows: number, file: string): Promise<void> {
  await pipeline(generatePoliceExport({ rows, lang: 'nl', seed: 42 }), createWriteStream(file));
}

/** A programme of the Genk project, Carma's protocol, and a coordinator who can sign in. */
async function seedProgramme(env: NodeJS.ProcessEnv) {
  const rt = await openRuntime(loadConfig(env));
  const db = rt.database.db;
  const org = await db
    .insertInto('organisations')
    .values({ name: 'Veiligheidshuis', kind: 'safety_house', nis_code: null })
    .returning('id')
    .executeTakeFirstOrThrow();
  const project = await db
    .insertInto('projects')
    .values({ slug: 'bench', name: 'Bench', coordinating_organisation_id: org.id, starts_on: null, ends_on: null })
    .returning('id')
    .executeTakeFirstOrThrow();
  await db
    .insertInto('project_municipalities')
    .values(GENK_MUNICIPALITIES.map((m) => ({ project_id: project.id, nis_code: m.nis ?? '00000', name: m.name })))
    .execute();
  const programme = await db
    .insertInto('programmes')
    .values({ project_id: project.id, slug: 'bench-outreach', name: 'Outreach', kind: 'outreach' })
    .returning('id')
    .executeTakeFirstOrThrow();
  const zone = await policeZone(db, 'Politiezone Carma');
  await activeProtocol(db, { programmeId: programme.id, senderOrganisationId: zone, receiverOrganisationId: org.id });
  const totpSecret = newTotpSecret();
  const user = await db
    .insertInto('users')
    .values({
      organisation_id: org.id,
      email: 'coordinator@bench.test',
      display_name: 'Bench Coordinator',
      password_hash: await hashPassword(PASSWORD),
      locale: 'en',
      totp_secret: rt.keys.seal(totpSecret, 'users.totp_secret'),
      totp_enabled_at: new Date(),
      totp_last_step: null,
      deactivated_at: null,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  await db.insertInto('role_assignments').values({ user_id: user.id, role: 'coordinator', programme_id: programme.id }).execute();
  await rt.close();
  return { programmeId: programme.id, account: { email: 'coordinator@bench.test', password: PASSWORD, totpSecret } };
}

/**
 * A JSON request over node:http: fetch (undici) gives up after 300 s without response headers, and
 * the commit of a million rows on a loaded machine can take longer.
 */
function api(base: string, s: ApiSession, method: string, url: string, body?: unknown): Promise<any> {
  const payload = body === undefined ? undefined : JSON.stringify(body);
  return new Promise((resolve, reject) => {
    const u = new URL(`${base}${url}`);
    const req = http.request(
      {
        method,
        hostname: u.hostname,
        port: u.port,
        path: u.pathname + u.search,
        headers: {
          cookie: s.cookie,
          'x-csrf-token': s.csrf,
          ...(payload === undefined ? {} : { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) }),
        },
      },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (d) => {
          text += d;
        });
        res.on('end', () => {
          if ((res.statusCode ?? 0) >= 400) reject(new Error(`${method} ${url}: ${res.statusCode} ${text.slice(0, 500)}`));
          else resolve(JSON.parse(text));
        });
      },
    );
    req.on('error', reject);
    req.end(payload);
  });
}

/** Streams the file as the raw body of a PUT, as the web app does. */
function putFile(base: string, s: ApiSession, url: string, file: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const u = new URL(`${base}${url}`);
    const req = http.request(
      {
        method: 'PUT',
        hostname: u.hostname,
        port: u.port,
        path: u.pathname,
        headers: { cookie: s.cookie, 'x-csrf-token': s.csrf, 'content-type': 'text/csv', 'content-length': statSync(file).size },
      },
      (res) => {
        let body = '';
        res.on('data', (d) => {
          body += d;
        });
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      },
    );
    req.on('error', reject);
    createReadStream(file).pipe(req);
  });
}

const COPY_TABLE = `CREATE TABLE copy_baseline (${Array.from({ length: COLUMNS }, (_, i) => `c${i} text`).join(', ')})`;
const COPY_OPTIONS = `(FORMAT csv, HEADER true, DELIMITER ';', ENCODING 'UTF8')`;

async function run(engine: 'pglite' | 'postgres', rows: number, file: string, target?: PgTarget): Promise<Result> {
  const dataDir = mkdtempSync(path.join(os.tmpdir(), `haven-bench-import-${engine}-`));
  const env = havenEnv(dataDir, {
    NODE_ENV: 'production',
    HAVEN_LOG_LEVEL: 'warn',
    HAVEN_IMPORT_MAX_BYTES: String(4 * 1024 ** 3),
    ...(target ? { DATABASE_URL: target.url } : {}),
  });
  try {
    const { programmeId, account } = await seedProgramme(env);
    let server: RunningHaven | undefined;
    let stageSeconds: number;
    let commitSeconds: number;
    let contacts: number;
    let idleRssMB: number;
    let peakRssMB: number;
    try {
      server = await startHaven(env, { timeoutMs: 60_000 });
      const s = await signIn(server.base, account);
      await new Promise((r) => setTimeout(r, 1000));
      idleRssMB = memorySampler(server.pid).stop().peakRssMB;
      const sampler = memorySampler(server.pid);
      const base = `/api/programmes/${programmeId}/imports`;
      const t0 = performance.now();
      const columns = Object.fromEntries(
        [
          ['pv_number', 'PV-nummer'],
          ['facts_date', 'Datum feiten'],
          ['registration_date', 'Datum registratie'],
          ['police_zone', 'Politiezone'],
          ['municipality', 'Gemeente'],
          ['postcode', 'Postcode'],
          ['street', 'Straat'],
          ['house_number', 'Huisnr'],
          ['box', 'Bus'],
          ['last_name', 'Naam'],
          ['first_name', 'Voornaam'],
          ['birth_date', 'Geboortedatum'],
          ['gender', 'Geslacht'],
          ['role', 'Hoedanigheid'],
          ['mobile', 'GSM'],
          ['phone', 'Telefoon'],
          ['email', 'E-mail'],
          ['language', 'Taal'],
          ['relation', 'Relatie'],
          ['minors_present', 'Minderjarigen aanwezig'],
          ['colour', 'Kleurcode'],
          ['remarks', 'Opmerkingen'],
        ].map(([f, h]) => [f, h]),
      );
      const started = await api(server.base, s, 'POST', base, { fileName: path.basename(file), columns });
      const put = await putFile(server.base, s, `${base}/${started.id}/file`, file);
      if (put.status !== 200) throw new Error(`upload: ${put.status} ${put.body.slice(0, 500)}`);
      const t1 = performance.now();
      const committed = await api(server.base, s, 'POST', `${base}/${started.id}/commit`);
      const t2 = performance.now();
      peakRssMB = sampler.stop().peakRssMB;
      stageSeconds = (t1 - t0) / 1000;
      commitSeconds = (t2 - t1) / 1000;
      contacts = committed.counts.contacts;
      log(
        `${engine} ${rows}: staged in ${stageSeconds.toFixed(1)} s, committed ${contacts} contacts in ${commitSeconds.toFixed(1)} s, server peak ${peakRssMB.toFixed(0)} MB`,
      );
      await server.stop('SIGTERM');
    } finally {
      if (server) await server.stop('SIGKILL');
    }

    // The same file, COPYed raw into a plain table by the database itself.
    let copySeconds: number;
    if (engine === 'postgres') {
      const client = new pg.Client({ connectionString: target?.url });
      await client.connect();
      await client.query(COPY_TABLE);
      const t = performance.now();
      await client.query(`COPY copy_baseline FROM '${file}' WITH ${COPY_OPTIONS}`);
      copySeconds = (performance.now() - t) / 1000;
      const copied = await client.query<{ n: number }>('SELECT count(*)::int AS n FROM copy_baseline');
      if (copied.rows[0]?.n !== rows) throw new Error(`COPY loaded ${copied.rows[0]?.n} rows of ${rows}`);
      await client.end();
    } else {
      const lock = lockDataDir(dataDir);
      const pglite = await openPGlite(path.join(dataDir, 'pglite'));
      await pglite.exec(COPY_TABLE);
      const blob = await openAsBlob(file);
      const t = performance.now();
      await pglite.query(`COPY copy_baseline FROM '/dev/blob' WITH ${COPY_OPTIONS}`, [], { blob });
      copySeconds = (performance.now() - t) / 1000;
      const copied = await pglite.query<{ n: number }>('SELECT count(*)::int AS n FROM copy_baseline');
      if (copied.rows[0]?.n !== rows) throw new Error(`COPY loaded ${copied.rows[0]?.n} rows of ${rows}`);
      await pglite.close();
      lock.release();
    }
    const importRowsPerSecond = rows / (stageSeconds + commitSeconds);
    const copyRowsPerSecond = rows / copySeconds;
    log(`${engine} ${rows}: COPY in ${copySeconds.toFixed(1)} s`);
    return {
      engine,
      rows,
      fileMB: statSync(file).size / 2 ** 20,
      stageSeconds,
      commitSeconds,
      importRowsPerSecond,
      copySeconds,
      copyRowsPerSecond,
      ratio: importRowsPerSecond / copyRowsPerSecond,
      contacts,
      server: { idleRssMB, peakRssMB },
    };
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
}

const work = mkdtempSync(path.join(os.tmpdir(), 'haven-bench-exports-'));
// PostgreSQL's server process reads the file for COPY: it runs as another user.
chmodSync(work, 0o755);
const results: Result[] = [];
try {
  const files = new Map<number, string>();
  for (const rows of ROW_COUNTS) {
    const file = path.join(work, `export-${rows}.csv`);
    log(`generating ${rows} rows`);
    await writeExport(rows, file);
    chmodSync(file, 0o644);
    files.set(rows, file);
  }
  const engines = opts.engine === 'both' ? (['pglite', 'postgres'] as const) : [opts.engine as 'pglite' | 'postgres'];
  for (const engine of engines) {
    for (const rows of ROW_COUNTS) {
      const file = files.get(rows) as string;
      if (engine === 'pglite') {
        results.push(await run('pglite', rows, file));
        continue;
      }
      const given = opts['database-url'] ?? process.env.HAVEN_BENCH_DATABASE_URL;
      const target = given ? await createBenchDatabase(given) : await throwawayCluster();
      if (!target) {
        log('PostgreSQL skipped: no --database-url and no PostgreSQL binaries under /usr/lib/postgresql');
        break;
      }
      try {
        results.push(await run('postgres', rows, file, target));
      } finally {
        await target.dispose();
      }
    }
  }
} finally {
  rmSync(work, { recursive: true, force: true });
}

const f = (n: number, d = 0) => n.toLocaleString('en-US', { minimumFractionDigits: d, maximumFractionDigits: d });
const lines = [
  `Node ${process.version}, ${os.cpus().length} CPUs (${os.cpus()[0]?.model ?? '?'}); load average after ${os
    .loadavg()
    .map((x) => x.toFixed(1))
    .join(' ')}`,
  '',
  '| engine | rows | file | stage (upload, parse, seal, staged rows) | commit | import rows/s | COPY | COPY rows/s | import / COPY | contacts | server RSS idle / peak |',
  '|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|',
  ...results.map(
    (r) =>
      `| ${r.engine} | ${f(r.rows)} | ${f(r.fileMB, 1)} MB | ${f(r.stageSeconds, 1)} s | ${f(r.commitSeconds, 1)} s | ${f(r.importRowsPerSecond)} | ${f(r.copySeconds, 2)} s | ${f(r.copyRowsPerSecond)} | ${f(r.ratio, 2)} | ${f(r.contacts)} | ${f(r.server.idleRssMB)} / ${f(r.server.peakRssMB)} MB |`,
  ),
];
process.stdout.write(`\n${lines.join('\n')}\n`);
if (opts.json) writeFileSync(opts.json, `${JSON.stringify({ at: new Date().toISOString(), results }, null, 2)}\n`);
