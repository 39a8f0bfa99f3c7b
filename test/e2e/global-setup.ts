/**
 * Once before the browser journeys: say clearly when they cannot run (no Chromium), and build the
 * web app when dist/web is missing or older than its sources, so the journeys test what is checked in.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const SOURCES = [
  'src/web',
  'src/i18n',
  'src/kernel/i18n/locales.ts',
  'src/kernel/authz/permissions.ts',
  'src/modules/organisations/schema.ts',
  'src/modules/referrals/fields.ts',
  'src/modules/outreach/schema.ts',
  'src/modules/outreach/rules.ts',
  'vite.config.ts',
];

function newest(p: string): number {
  if (!existsSync(p)) return 0;
  const s = statSync(p);
  if (!s.isDirectory()) return s.mtimeMs;
  return Math.max(s.mtimeMs, ...readdirSync(p).map((f) => newest(path.join(p, f))));
}

export default function setup(): void {
  const chromium = process.env.HAVEN_CHROMIUM_PATH || '/usr/bin/chromium';
  if (!existsSync(chromium)) {
    console.warn(
      `\n⚠ Browser journeys SKIPPED: no Chromium at ${chromium}. Install Debian's chromium (apt-get install chromium) or set HAVEN_CHROMIUM_PATH.\n`,
    );
    return;
  }
  const built = path.join(ROOT, 'dist/web/index.html');
  const sources = Math.max(...SOURCES.map((s) => newest(path.join(ROOT, s))));
  if (existsSync(built) && statSync(built).mtimeMs >= sources) return;
  const vite = path.join(ROOT, 'node_modules/vite/bin/vite.js');
  const r = spawnSync(process.execPath, [vite, 'build', '--logLevel', 'warn'], { cwd: ROOT, stdio: 'inherit' });
  if (r.status !== 0) throw new Error('vite build failed: the browser journeys need the built web app in dist/web');
}
