#!/usr/bin/env node
// Haven's command line. Haven runs its TypeScript directly on Node.js 22.18+ (type stripping).
// `npm install` brings Node 24 into node_modules (the `node` package); npm scripts and npx put it
// first on PATH. Started with an older Node, this file hands over to that one.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const [major, minor] = process.versions.node.split('.').map(Number);
if (major > 22 || (major === 22 && minor >= 18)) {
  await import(path.join(here, '../src/cli/main.ts'));
} else {
  const local = path.join(here, '../node_modules/node/bin/node');
  if (!existsSync(local)) {
    process.stderr.write(`Haven needs Node.js 22.18 or newer (this is ${process.version}). Run "npm install" first: it brings one.\n`);
    process.exit(1);
  }
  const child = spawn(local, [fileURLToPath(import.meta.url), ...process.argv.slice(2)], { stdio: 'inherit' });
  for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP']) process.on(sig, () => child.kill(sig));
  child.on('exit', (code, signal) => process.exit(code ?? (signal ? 128 : 1)));
}
