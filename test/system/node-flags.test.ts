/**
 * `bin/haven.mjs` starts Node with Haven's memory flags (docs/benchmarks.md: they keep a busy
 * server under 250 MB), unless the operator chose otherwise. A preloaded script reports, from
 * inside each Node process the command runs in, its flags and V8's resulting heap limit.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { havenEnv, runHaven } from './harness.ts';

const dir = mkdtempSync(path.join(os.tmpdir(), 'haven-flags-'));
const probe = path.join(dir, 'probe.cjs');
writeFileSync(
  probe,
  `process.stderr.write('PROBE ' + JSON.stringify({ pid: process.pid, argv: process.execArgv, limitMB: require('node:v8').getHeapStatistics().heap_size_limit / 2 ** 20 }) + '\\n');`,
);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function probed(extra: Record<string, string>) {
  const env = havenEnv(dir, {
    NODE_OPTIONS: `--require=${probe} ${extra.NODE_OPTIONS ?? ''}`.trim(),
    ...(extra.HAVEN_NODE_DEFAULTS ? { HAVEN_NODE_DEFAULTS: extra.HAVEN_NODE_DEFAULTS } : {}),
  });
  const r = await runHaven(['--help'], env);
  expect(r.code).toBe(0);
  expect(r.stdout).toContain('Usage: haven');
  return r.stderr
    .split('\n')
    .filter((l) => l.startsWith('PROBE '))
    .map((l) => JSON.parse(l.slice(6)) as { pid: number; argv: string[]; limitMB: number });
}

describe('bin/haven.mjs memory flags', () => {
  it('re-executes the same process with a small young generation and a capped old space', { timeout: 30_000 }, async () => {
    const runs = await probed({});
    expect(runs).toHaveLength(2);
    const [first, last] = runs as [(typeof runs)[0], (typeof runs)[0]];
    expect(last.pid).toBe(first.pid);
    expect(last.argv).toEqual(expect.arrayContaining(['--max-semi-space-size=4', '--max-old-space-size=256']));
    expect(last.limitMB).toBeLessThan(300);
    expect(first.limitMB).toBeGreaterThan(last.limitMB);
  });

  it('leaves a flag the operator set in NODE_OPTIONS alone, and adds only the other', { timeout: 30_000 }, async () => {
    const runs = await probed({ NODE_OPTIONS: '--max-old-space-size=700' });
    const last = runs.at(-1);
    expect(last?.argv).toEqual(['--max-semi-space-size=4']);
    expect(last?.limitMB).toBeGreaterThan(700);
  });

  it('starts Node as it is with HAVEN_NODE_DEFAULTS=0', { timeout: 30_000 }, async () => {
    const runs = await probed({ HAVEN_NODE_DEFAULTS: '0' });
    expect(runs).toHaveLength(1);
    expect(runs[0]?.argv).toEqual([]);
  });
});
