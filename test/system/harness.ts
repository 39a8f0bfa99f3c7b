import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import net from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { currentTotp } from '../../src/modules/identity/totp.ts';

/**
 * Haven as the operator runs it: `node bin/haven.mjs …` in a child process, talking HTTP over
 * loopback. Shared by the system tests and the benchmark.
 */
export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const NODE = path.join(ROOT, 'node_modules/.bin/node');
export const HAVEN = path.join(ROOT, 'bin/haven.mjs');

/** A port nobody listens on right now (bind to 0, read it, close). */
export async function freePort(): Promise<number> {
  const srv = net.createServer();
  srv.listen(0, '127.0.0.1');
  await once(srv, 'listening');
  const port = (srv.address() as net.AddressInfo).port;
  srv.close();
  await once(srv, 'close');
  return port;
}

export function havenEnv(dataDir: string, extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  // HAVEN_LANG: the harness reads the demo's accounts from its English output, whatever the machine's locale.
  const env: NodeJS.ProcessEnv = { ...process.env, NODE_ENV: 'test', HAVEN_DATA_DIR: dataDir, HAVEN_LOG_LEVEL: 'warn', HAVEN_LANG: 'en', ...extra };
  // vitest sets these for its own workers; Haven must not see them.
  delete env.HAVEN_TEST_DATABASE_URL;
  if (!extra.DATABASE_URL) delete env.DATABASE_URL;
  return env;
}

export interface RunResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** Runs one `haven …` command to its end. */
export async function runHaven(args: string[], env: NodeJS.ProcessEnv, opts: { stdin?: string; timeoutMs?: number } = {}): Promise<RunResult> {
  const child = spawn(NODE, [HAVEN, ...args], { cwd: ROOT, env, stdio: ['pipe', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d) => {
    stdout += d;
  });
  child.stderr.on('data', (d) => {
    stderr += d;
  });
  child.stdin.end(opts.stdin ?? '');
  const timer = setTimeout(() => child.kill('SIGKILL'), opts.timeoutMs ?? 60_000);
  const [code, signal] = (await once(child, 'exit')) as [number | null, NodeJS.Signals | null];
  clearTimeout(timer);
  return { code, signal, stdout, stderr };
}

export interface RunningHaven {
  proc: ChildProcess;
  pid: number;
  port: number;
  base: string;
  output(): string;
  /** resolves with the exit code and signal once the process has ended */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** sends the signal and waits for the end */
  stop(signal?: NodeJS.Signals): Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/**
 * `haven serve` on a free port; resolves once `/api/health` answers ok. Its output is kept in
 * memory, unless `stdout` names a file descriptor to write the (JSON log) standard output to.
 */
export async function startHaven(env: NodeJS.ProcessEnv, opts: { timeoutMs?: number; stdout?: number; nodeArgs?: string[] } = {}): Promise<RunningHaven> {
  const port = await freePort();
  const proc = spawn(NODE, [...(opts.nodeArgs ?? []), HAVEN, 'serve'], {
    cwd: ROOT,
    env: { ...env, HOST: '127.0.0.1', PORT: String(port) },
    stdio: ['ignore', opts.stdout ?? 'pipe', 'pipe'],
  });
  let out = '';
  proc.stdout?.on('data', (d) => {
    out += d;
  });
  proc.stderr?.on('data', (d) => {
    out += d;
  });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    proc.once('exit', (code, signal) => resolve({ code, signal }));
  });
  let ended = false;
  void exited.then(() => {
    ended = true;
  });
  const base = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + (opts.timeoutMs ?? 30_000);
  for (;;) {
    if (ended) throw new Error(`haven serve exited before it was healthy:\n${out}`);
    if (Date.now() > deadline) {
      proc.kill('SIGKILL');
      throw new Error(`haven serve was not healthy in time:\n${out}`);
    }
    try {
      const res = await fetch(`${base}/api/health`, { signal: AbortSignal.timeout(1000) });
      if (res.ok) break;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  return {
    proc,
    pid: proc.pid as number,
    port,
    base,
    output: () => out,
    exited,
    async stop(signal = 'SIGTERM') {
      if (!ended) proc.kill(signal);
      return exited;
    },
  };
}

export interface DemoAccount {
  email: string;
  password: string;
  totpSecret: string;
  roles: string;
}

/** The accounts `haven demo` prints. */
export function parseDemoAccounts(stdout: string): DemoAccount[] {
  const found: DemoAccount[] = [];
  for (const m of stdout.matchAll(/^\s+(\S+@\S+)\s+password (\S+)\s+TOTP secret (\S+)\s+(.*)$/gm)) {
    found.push({ email: m[1] as string, password: m[2] as string, totpSecret: m[3] as string, roles: (m[4] as string).trim() });
  }
  return found;
}

export interface ApiSession {
  cookie: string;
  csrf: string;
}

function cookieOf(res: Response): string | undefined {
  for (const c of res.headers.getSetCookie()) {
    const m = /^haven_session=([^;]*)/.exec(c);
    if (m?.[1]) return `haven_session=${m[1]}`;
  }
  return undefined;
}

/** Password, then the TOTP code: a fully signed-in session (cookie and CSRF token). */
export async function signIn(base: string, account: { email: string; password: string; totpSecret: string }): Promise<ApiSession> {
  const json = { 'content-type': 'application/json' };
  const login = await fetch(`${base}/api/auth/login`, {
    method: 'POST',
    headers: json,
    body: JSON.stringify({ email: account.email, password: account.password }),
  });
  if (login.status !== 200) throw new Error(`login: ${login.status} ${await login.text()}`);
  let cookie = cookieOf(login) as string;
  const session = async () => ((await (await fetch(`${base}/api/session`, { headers: { cookie } })).json()) as { csrfToken: string; state: string }).csrfToken;
  const mfa = await fetch(`${base}/api/auth/mfa`, {
    method: 'POST',
    headers: { ...json, cookie, 'x-csrf-token': await session() },
    body: JSON.stringify({ code: await currentTotp(account.totpSecret) }),
  });
  if (mfa.status !== 200) throw new Error(`mfa: ${mfa.status} ${await mfa.text()}`);
  cookie = cookieOf(mfa) as string;
  return { cookie, csrf: await session() };
}
