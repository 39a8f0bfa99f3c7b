/**
 * API benchmark: an authenticated GET of a 25-row page of users (`GET /api/users?page=N`) with
 * 10,000 users in the database, under 32 concurrent connections, on PGlite and on PostgreSQL;
 * and, in the same run, the same SQL (compiled from `listUsers`) issued straight through the
 * driver by 32 concurrent loops. See docs/benchmarks.md for how to read the figures.
 *
 *   node bench/api-page.ts [--engine pglite|postgres|both] [--database-url URL]
 *                          [--users 10000] [--connections 32] [--duration 15] [--warmup 5]
 *                          [--log-level info] [--server-node-args="--max-semi-space-size=4"]
 *                          [--json results.json]
 *
 * PostgreSQL: with --database-url (or HAVEN_BENCH_DATABASE_URL) the run creates and afterwards
 * drops a database `haven_bench_*` on that server (the role needs CREATEDB). Without one, it
 * starts a throwaway cluster on 127.0.0.1 from /usr/lib/postgresql/<n>/bin (as user postgres
 * when run as root) and removes it afterwards; if there is none, PostgreSQL is skipped.
 *
 * The server runs as its own process (`bin/haven.mjs serve`, NODE_ENV=production, logging at
 * --log-level to a file), so the memory sampled from /proc/<pid>/status is the server's own.
 * Besides throughput and latency, the run reports CPU time per request (from /proc), of the
 * server and, for a throwaway cluster, of PostgreSQL: unlike req/s, that hardly moves when other
 * programs share the machine.
 */
import { closeSync, mkdtempSync, openSync, rmSync, statSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import autocannon from 'autocannon';
import { DummyDriver, Kysely, PostgresAdapter, PostgresIntrospector, PostgresQueryCompiler, sql } from 'kysely';
import pg from 'pg';
import { loadConfig } from '../src/kernel/config.ts';
import { type Database, openPGlite } from '../src/kernel/db/database.ts';
import { lockDataDir } from '../src/kernel/db/lock.ts';
import { listUsers } from '../src/modules/identity/queries.ts';
import { openRuntime } from '../src/server/runtime.ts';
import { havenEnv, type RunningHaven, signIn, startHaven } from '../test/system/harness.ts';
import { cpuMeter, createBenchDatabase, type Figures, figures, log, memorySampler, type PgTarget, throwawayCluster, withChildren } from './lib.ts';
import { seed } from './seed.ts';

const { values: opts } = parseArgs({
  options: {
    engine: { type: 'string', default: 'both' },
    'database-url': { type: 'string' },
    users: { type: 'string', default: '10000' },
    connections: { type: 'string', default: '32' },
    duration: { type: 'string', default: '15' },
    warmup: { type: 'string', default: '5' },
    'log-level': { type: 'string', default: 'info' },
    'server-node-args': { type: 'string', default: '' },
    json: { type: 'string' },
  },
});
const USERS = Number(opts.users);
const CONNECTIONS = Number(opts.connections);
const DURATION = Number(opts.duration);
const WARMUP = Number(opts.warmup);
const SERVER_NODE_ARGS = (opts['server-node-args'] as string).split(/\s+/).filter(Boolean);
const PAGE_SIZE = 25;
const PAGES = Math.ceil(USERS / PAGE_SIZE);

/** The statement `listUsers` sends for one page, compiled by Kysely (no database needed). */
async function listUsersSql(): Promise<{ sql: string; params: (page: number) => unknown[] }> {
  const seen: { sql: string; parameters: readonly unknown[] }[] = [];
  const compiler = new Kysely<Database>({
    dialect: {
      createAdapter: () => new PostgresAdapter(),
      createDriver: () => new DummyDriver(),
      createIntrospector: (db) => new PostgresIntrospector(db),
      createQueryCompiler: () => new PostgresQueryCompiler(),
    },
    log: (e) => {
      if (e.level === 'query') seen.push(e.query);
    },
  });
  // No rows come back, so listUsers may go on to a second statement and fail: only the first counts.
  await listUsers(compiler, {}, 1, PAGE_SIZE).catch(() => {});
  const first = seen[0];
  if (!first) throw new Error('listUsers sent no query');
  const template = first.parameters;
  // Page 1 binds [pageSize, offset 0] (in some order); find the offset to vary it.
  const offsetAt = template.lastIndexOf(0);
  if (offsetAt < 0 || template.length > 4) throw new Error(`unexpected parameters of listUsers: ${JSON.stringify(template)}`);
  return {
    sql: first.sql,
    params: (page) => template.map((v, i) => (i === offsetAt ? (page - 1) * PAGE_SIZE : v)),
  };
}

async function loadApi(base: string, cookie: string, seconds: number): Promise<Figures & { non2xx: number }> {
  let n = 0;
  const latencies: number[] = [];
  const instance = autocannon({
    url: base,
    connections: CONNECTIONS,
    duration: seconds,
    headers: { cookie, accept: 'application/json' },
    requests: [
      {
        method: 'GET',
        setupRequest: (req) => {
          // pages in a scattered order, so every part of the list is read
          const page = ((n++ * 7919) % PAGES) + 1;
          return { ...req, path: `/api/users?page=${page}` };
        },
      },
    ],
  });
  instance.on('response', (_client: unknown, status: number, _bytes: number, ms: number) => {
    if (status === 200) latencies.push(ms);
  });
  const result = await instance;
  return { ...figures(latencies, result.duration, result.errors + result.timeouts), non2xx: result.non2xx };
}

/**
 * An open load: request i is due at i/rate seconds, whether or not earlier ones have come back,
 * over at most CONNECTIONS keep-alive connections. Latency counts from when the request was due,
 * so time spent waiting for a free connection is included (no coordinated omission).
 */
async function loadPaced(base: string, cookie: string, seconds: number, rate: number): Promise<Figures & { non2xx: number }> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: CONNECTIONS });
  const { hostname, port } = new URL(base);
  const latencies: number[] = [];
  let errors = 0;
  let non2xx = 0;
  const pending: Promise<void>[] = [];
  const t0 = performance.now();
  for (let i = 0; i < Math.floor(seconds * rate); i++) {
    const due = t0 + (i * 1000) / rate;
    const wait = due - performance.now();
    if (wait >= 1) await new Promise((r) => setTimeout(r, wait));
    const page = ((i * 7919) % PAGES) + 1;
    pending.push(
      new Promise<void>((resolve) => {
        const req = http.get({ agent, hostname, port, path: `/api/users?page=${page}`, headers: { cookie, accept: 'application/json' } }, (res) => {
          res.resume();
          res.on('end', () => {
            if (res.statusCode === 200) latencies.push(performance.now() - due);
            else non2xx++;
            resolve();
          });
        });
        req.on('error', () => {
          errors++;
          resolve();
        });
      }),
    );
  }
  await Promise.all(pending);
  agent.destroy();
  return { ...figures(latencies, (performance.now() - t0) / 1000, errors), non2xx };
}

/** CONNECTIONS loops, each sending the statement and waiting for its rows, for `seconds`. */
async function loadRaw(query: (page: number) => Promise<unknown[]>, seconds: number): Promise<Figures> {
  const latencies: number[] = [];
  let errors = 0;
  let n = 0;
  const t0 = performance.now();
  const end = t0 + seconds * 1000;
  await Promise.all(
    Array.from({ length: CONNECTIONS }, async () => {
      while (performance.now() < end) {
        const page = ((n++ * 7919) % PAGES) + 1;
        const s = performance.now();
        try {
          const rows = await query(page);
          if (rows.length !== PAGE_SIZE) errors++;
          latencies.push(performance.now() - s);
        } catch {
          errors++;
        }
      }
    }),
  );
  return figures(latencies, (performance.now() - t0) / 1000, errors);
}

// ---------------------------------------------------------------------------------------------
// One engine: seed, serve, load the API, stop the server, load the driver.

interface Cpu {
  /** the server process (API) or this process (driver), ms per request */
  clientMs: number;
  /** PostgreSQL's processes, ms per request, when the cluster is ours to watch */
  dbMs: number | null;
}

interface EngineResult {
  engine: 'pglite' | 'postgres';
  version: string;
  api: Figures & { non2xx: number; cpu: Cpu };
  /** the same load paced at half the throughput `api` reached */
  paced: Figures & { non2xx: number; rate: number };
  raw: Figures & { cpu: Cpu };
  ratio: number;
  server: { peakRssMB: number; hwmMB: number; idleRssMB: number };
  poolSize: number | null;
}

async function runEngine(engine: 'pglite' | 'postgres', target?: PgTarget): Promise<EngineResult> {
  log(`--- ${engine} ---`);
  const dataDir = mkdtempSync(path.join(os.tmpdir(), `haven-bench-${engine}-`));
  const extra: Record<string, string> = { NODE_ENV: 'production', HAVEN_LOG_LEVEL: opts['log-level'] as string };
  if (target) extra.DATABASE_URL = target.url;
  const env = havenEnv(dataDir, extra);
  const dbPids = () => (target?.postmasterPid ? withChildren(target.postmasterPid) : []);
  const dbMs = (meter: { stop(): number }, n: number) => (target?.postmasterPid ? meter.stop() / n : null);
  try {
    // Seed in this process, then let go of the database (and of the embedded folder's lock).
    const rt = await openRuntime(loadConfig(env));
    const version = String(((await sql<{ v: string }>`SELECT version() AS v`.execute(rt.database.db)).rows[0] as { v: string }).v);
    const account = await seed(rt.database.db, (s) => rt.keys.seal(s, 'users.totp_secret'), USERS, log);
    await rt.close();

    const logFile = path.join(dataDir, 'server.log');
    const logFd = openSync(logFile, 'a');
    let server: RunningHaven | undefined;
    let api: EngineResult['api'];
    let paced: EngineResult['paced'];
    let mem: { peakRssMB: number; hwmMB: number };
    let idleRssMB = 0;
    try {
      server = await startHaven(env, { stdout: logFd, nodeArgs: SERVER_NODE_ARGS });
      const session = await signIn(server.base, account);
      const probe = await fetch(`${server.base}/api/users?page=2`, { headers: { cookie: session.cookie } });
      const body = (await probe.json()) as { items: unknown[]; total: number };
      if (probe.status !== 200 || body.items.length !== PAGE_SIZE || body.total !== USERS)
        throw new Error(`unexpected page: ${probe.status} ${JSON.stringify(body).slice(0, 300)}`);
      await new Promise((r) => setTimeout(r, 2000));
      idleRssMB = memorySampler(server.pid).stop().peakRssMB;
      log(`server pid ${server.pid} up, RSS ${idleRssMB.toFixed(0)} MB; warm-up ${WARMUP} s`);
      await loadApi(server.base, session.cookie, WARMUP);
      const sampler = memorySampler(server.pid);
      const serverPid = server.pid;
      const serverCpu = cpuMeter(() => [serverPid]);
      const dbCpu = cpuMeter(dbPids);
      log(`API: ${CONNECTIONS} connections for ${DURATION} s`);
      const figures = await loadApi(server.base, session.cookie, DURATION);
      api = { ...figures, cpu: { clientMs: serverCpu.stop() / figures.requests, dbMs: dbMs(dbCpu, figures.requests) } };
      mem = sampler.stop();
      const rate = Math.round(figures.rps / 2);
      log(`API paced: ${CONNECTIONS} connections at ${rate} req/s for ${DURATION} s`);
      paced = { ...(await loadPaced(server.base, session.cookie, DURATION, rate)), rate };
      const end = await server.stop('SIGTERM');
      if (end.code !== 0) throw new Error(`server exited with ${JSON.stringify(end)}`);
    } finally {
      if (server) await server.stop('SIGKILL');
      closeSync(logFd);
    }
    log(`server log: ${(statSync(logFile).size / 1e6).toFixed(1)} MB`);

    // The same statement straight through the driver, the server stopped.
    const q = await listUsersSql();
    const measureRaw = async (query: (page: number) => Promise<unknown[]>) => {
      log(`driver: warm-up ${WARMUP} s`);
      await loadRaw(query, WARMUP);
      log(`driver: ${CONNECTIONS} loops for ${DURATION} s`);
      const own = process.cpuUsage();
      const dbCpu = cpuMeter(dbPids);
      const f = await loadRaw(query, DURATION);
      const used = process.cpuUsage(own);
      return { ...f, cpu: { clientMs: (used.user + used.system) / 1000 / f.requests, dbMs: dbMs(dbCpu, f.requests) } };
    };
    let raw: EngineResult['raw'];
    if (engine === 'postgres') {
      const pool = new pg.Pool({ connectionString: target?.url, max: CONNECTIONS });
      const query = async (page: number) => (await pool.query(q.sql, q.params(page))).rows;
      await Promise.all(Array.from({ length: CONNECTIONS }, () => query(1))); // open the connections
      raw = await measureRaw(query);
      await pool.end();
    } else {
      const lock = lockDataDir(dataDir);
      const pglite = await openPGlite(path.join(dataDir, 'pglite'));
      raw = await measureRaw(async (page) => (await pglite.query(q.sql, q.params(page))).rows);
      await pglite.close();
      lock.release();
    }
    const result: EngineResult = {
      engine,
      version,
      api,
      paced,
      raw,
      ratio: api.rps / raw.rps,
      server: { ...mem, idleRssMB },
      poolSize: engine === 'postgres' ? loadConfig(env).dbPoolSize : null,
    };
    log(
      `${engine}: API ${api.rps.toFixed(0)} req/s p50 ${api.p50.toFixed(1)} ms p99 ${api.p99.toFixed(1)} ms | driver ${raw.rps.toFixed(0)} q/s p50 ${raw.p50.toFixed(1)} p99 ${raw.p99.toFixed(1)} | ratio ${result.ratio.toFixed(2)} | server peak RSS ${mem.peakRssMB.toFixed(0)} MB`,
    );
    return result;
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
}

// ---------------------------------------------------------------------------------------------

function report(results: EngineResult[], loadBefore: number[]): string {
  const f = (n: number, d = 0) => n.toLocaleString('en-US', { minimumFractionDigits: d, maximumFractionDigits: d });
  const cpu = (c: Cpu) => `${f(c.clientMs, 2)}${c.dbMs === null ? '' : ` + ${f(c.dbMs, 2)}`}`;
  const load = (l: number[]) => l.map((x) => x.toFixed(1)).join(' ');
  const lines = [
    `${f(USERS)} users, GET /api/users?page=N (25 rows), ${CONNECTIONS} connections, ${DURATION} s after ${WARMUP} s warm-up; server log level ${opts['log-level']}${SERVER_NODE_ARGS.length ? `, server node ${SERVER_NODE_ARGS.join(' ')}` : ''}`,
    `Node ${process.version}, ${os.cpus().length} CPUs (${os.cpus()[0]?.model ?? '?'}), ${f(os.totalmem() / 2 ** 30)} GiB; load average before ${load(loadBefore)}, after ${load(os.loadavg())}`,
    '',
    '| engine | API req/s | API p50 | API p99 | driver q/s | driver p50 | driver p99 | API/driver | server RSS idle / peak (HWM) | CPU ms per request, API (server + PostgreSQL) | CPU ms per query, driver (client + PostgreSQL) | API paced at half: req/s, p50, p99 |',
    '|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|',
    ...results.map(
      (r) =>
        `| ${r.engine} | ${f(r.api.rps)} | ${f(r.api.p50, 1)} ms | ${f(r.api.p99, 1)} ms | ${f(r.raw.rps)} | ${f(r.raw.p50, 1)} ms | ${f(r.raw.p99, 1)} ms | ${f(r.ratio, 2)} | ${f(r.server.idleRssMB)} / ${f(r.server.peakRssMB)} MB (${f(r.server.hwmMB)}) | ${cpu(r.api.cpu)} | ${cpu(r.raw.cpu)} | ${f(r.paced.rps)}, ${f(r.paced.p50, 1)} ms, ${f(r.paced.p99, 1)} ms |`,
    ),
    '',
    ...results.map(
      (r) =>
        `${r.engine}: ${r.version.split(',')[0]}${r.poolSize ? `; server pool ${r.poolSize}, driver pool ${CONNECTIONS}` : ''}; errors API ${r.api.errors + r.api.non2xx}, paced ${r.paced.errors + r.paced.non2xx}, driver ${r.raw.errors}`,
    ),
  ];
  return lines.join('\n');
}

const loadBefore = os.loadavg();
const results: EngineResult[] = [];
const engines = opts.engine === 'both' ? (['pglite', 'postgres'] as const) : [opts.engine as 'pglite' | 'postgres'];
for (const engine of engines) {
  if (engine === 'pglite') {
    results.push(await runEngine('pglite'));
    continue;
  }
  const given = opts['database-url'] ?? process.env.HAVEN_BENCH_DATABASE_URL;
  const target = given ? await createBenchDatabase(given) : await throwawayCluster();
  if (!target) {
    log('PostgreSQL skipped: no --database-url and no PostgreSQL binaries under /usr/lib/postgresql');
    continue;
  }
  try {
    results.push(await runEngine('postgres', target));
  } finally {
    await target.dispose();
  }
}
const text = report(results, loadBefore);
process.stdout.write(`\n${text}\n`);
if (opts.json) {
  const doc = { at: new Date().toISOString(), users: USERS, connections: CONNECTIONS, duration: DURATION, serverNodeArgs: SERVER_NODE_ARGS, results };
  writeFileSync(opts.json, `${JSON.stringify(doc, null, 2)}\n`);
}
