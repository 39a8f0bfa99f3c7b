/** Helpers shared by the benchmarks: latency figures, CPU and memory from /proc, PostgreSQL targets. */
import { execFileSync, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { freePort } from '../test/system/harness.ts';

export const log = (msg: string) => process.stderr.write(`[bench] ${msg}\n`);

// ---------------------------------------------------------------------------------------------
// Measurement helpers.

export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))] as number;
}

export interface Figures {
  requests: number;
  seconds: number;
  rps: number;
  p50: number;
  p99: number;
  errors: number;
}

export function figures(latencies: number[], seconds: number, errors: number): Figures {
  const sorted = Array.from(Float64Array.from(latencies).sort());
  return { requests: sorted.length, seconds, rps: sorted.length / seconds, p50: percentile(sorted, 50), p99: percentile(sorted, 99), errors };
}

const TICK_MS = 1000 / Number(spawnSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).stdout.trim() || 100);

/** User + system CPU time of processes, in ms, from /proc/<pid>/stat. */
export function cpuMs(pids: number[]): number {
  let ticks = 0;
  for (const pid of pids) {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      ticks += Number(fields[11]) + Number(fields[12]); // utime, stime (fields 14 and 15)
    } catch {
      // gone
    }
  }
  return ticks * TICK_MS;
}

/** A process and its children (PostgreSQL: the postmaster and its backends). */
export function withChildren(pid: number): number[] {
  const pids = [pid];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      if (Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]) === pid) pids.push(Number(entry));
    } catch {
      // gone
    }
  }
  return pids;
}

/** CPU used by `pids()` (re-listed at the end, backends come and go) between start and stop. */
export function cpuMeter(pids: () => number[]) {
  const before = new Map(pids().map((p) => [p, cpuMs([p])]));
  return {
    stop(): number {
      let used = 0;
      for (const p of pids()) used += cpuMs([p]) - (before.get(p) ?? 0);
      return used;
    },
  };
}

/** Peak VmRSS (sampled every 200 ms) and VmHWM of a process, from /proc. */
export function memorySampler(pid: number) {
  let peakRss = 0;
  let hwm = 0;
  const read = () => {
    try {
      const status = readFileSync(`/proc/${pid}/status`, 'utf8');
      const kb = (field: string) => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? 0);
      peakRss = Math.max(peakRss, kb('VmRSS'));
      hwm = Math.max(hwm, kb('VmHWM'));
    } catch {
      // the process has ended
    }
  };
  read();
  const timer = setInterval(read, 200);
  return {
    stop() {
      read();
      clearInterval(timer);
      return { peakRssMB: peakRss / 1024, hwmMB: hwm / 1024 };
    },
  };
}

// ---------------------------------------------------------------------------------------------
// PostgreSQL: a database on a given server, or a throwaway cluster.

export interface PgTarget {
  url: string;
  /** set for a throwaway cluster: its processes' CPU time is measured */
  postmasterPid?: number;
  dispose(): Promise<void>;
}

export async function createBenchDatabase(serverUrl: string): Promise<PgTarget> {
  const name = `haven_bench_${randomBytes(4).toString('hex')}`;
  const admin = new pg.Client({ connectionString: serverUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    async dispose() {
      const c = new pg.Client({ connectionString: serverUrl });
      await c.connect();
      await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await c.end();
    },
  };
}

/** `settings`: extra server settings (`name=value`), e.g. `shared_preload_libraries=pg_stat_statements`. */
export async function throwawayCluster(opts: { settings?: string[] } = {}): Promise<PgTarget | null> {
  const root = '/usr/lib/postgresql';
  const versions = existsSync(root) ? readdirSync(root).filter((v) => existsSync(path.join(root, v, 'bin/pg_ctl'))) : [];
  const bin = versions.sort((a, b) => Number(a) - Number(b)).at(-1);
  if (!bin) return null;
  const pgBin = path.join(root, bin, 'bin');
  const dir = mkdtempSync(path.join(os.tmpdir(), 'haven-bench-pg-'));
  const port = await freePort();
  const asRoot = process.getuid?.() === 0;
  const run = (cmd: string, args: string[]) => {
    const r = asRoot
      ? spawnSync('su', ['postgres', '-s', '/bin/sh', '-c', [path.join(pgBin, cmd), ...args.map((a) => `'${a}'`)].join(' ')], { encoding: 'utf8' })
      : spawnSync(path.join(pgBin, cmd), args, { encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`${cmd} failed: ${r.stderr || r.stdout}`);
  };
  if (asRoot) execFileSync('chown', ['postgres', dir]);
  log(`starting a throwaway PostgreSQL ${bin} cluster on 127.0.0.1:${port}`);
  run('initdb', ['-D', dir, '-A', 'trust', '-U', 'postgres', '--no-sync']);
  run('pg_ctl', [
    '-D',
    dir,
    '-o',
    [`-c listen_addresses=127.0.0.1 -p ${port} -c max_connections=100 -c shared_buffers=256MB`, ...(opts.settings ?? []).map((x) => `-c ${x}`)].join(' '),
    '-l',
    `${dir}/log`,
    '-w',
    'start',
  ]);
  const stop = () => {
    try {
      run('pg_ctl', ['-D', dir, '-m', 'fast', '-w', 'stop']);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  };
  try {
    const postmasterPid = Number(readFileSync(path.join(dir, 'postmaster.pid'), 'utf8').split('\n')[0]);
    const db = await createBenchDatabase(`postgres://postgres@127.0.0.1:${port}/postgres`);
    return {
      url: db.url,
      postmasterPid,
      async dispose() {
        stop();
      },
    };
  } catch (e) {
    stop();
    throw e;
  }
}
