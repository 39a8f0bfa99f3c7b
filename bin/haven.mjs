#!/usr/bin/env node
// Haven's command line. Haven runs its TypeScript directly on Node.js 22.18+ (type stripping).
// `npm install` brings Node 24 into node_modules (the `node` package); npm scripts and npx put it
// first on PATH. Started with an older Node, this file hands over to that one.
//
// Memory: V8 sizes its heap for the machine (24 GiB here) and lets a busy server grow to ~365 MB
// where its live data is ~40 MB. Haven starts Node with a smaller young generation and a capped
// old space instead (docs/benchmarks.md): unless the same flag is already given on the command line
// or in NODE_OPTIONS, the process re-executes itself with them (same pid, so signals and pid files
// still work). HAVEN_NODE_DEFAULTS=0 turns this off.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const DEFAULT_FLAGS = ['--max-semi-space-size=4', '--max-old-space-size=256'];

const here = path.dirname(fileURLToPath(import.meta.url));
const self = fileURLToPath(import.meta.url);
const given = [...process.execArgv, ...(process.env.NODE_OPTIONS ?? '').split(/\s+/)].map((g) => g.replaceAll('_', '-'));
const missing =
  process.env.HAVEN_NODE_DEFAULTS === '0'
    ? []
    : DEFAULT_FLAGS.filter((flag) => {
        const name = flag.slice(0, flag.indexOf('='));
        return !given.some((g) => g === name || g.startsWith(`${name}=`));
      });

const [major, minor] = process.versions.node.split('.').map(Number);
if (major > 22 || (major === 22 && minor >= 18)) {
  if (missing.length > 0 && typeof process.execve === 'function') {
    process.execve(process.execPath, [process.execPath, ...process.execArgv, ...missing, self, ...process.argv.slice(2)], process.env);
  }
  await import(path.join(here, '../src/cli/main.ts'));
} else {
  const local = path.join(here, '../node_modules/node/bin/node');
  if (!existsSync(local)) {
    process.stderr.write(`Haven needs Node.js 22.18 or newer (this is ${process.version}). Run "npm install" first: it brings one.\n`);
    process.exit(1);
  }
  const child = spawn(local, [...missing, self, ...process.argv.slice(2)], { stdio: 'inherit' });
  for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP']) process.on(sig, () => child.kill(sig));
  child.on('exit', (code, signal) => process.exit(code ?? (signal ? 128 : 1)));
}
