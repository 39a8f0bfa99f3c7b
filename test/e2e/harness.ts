/**
 * What the browser journeys share: a real Haven server per test file (in this process, embedded
 * database in a temp folder, port 0), Debian's Chromium through playwright-core, TOTP codes that
 * are never used twice, and an axe scan that fails on serious or critical violations.
 */
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import AxeBuilder from '@axe-core/playwright';
import { generate } from 'otplib';
import { type Browser, type BrowserContext, chromium, type Locator, type Page } from 'playwright-core';
import { type DemoCredential, loadDemo } from '../../src/cli/demo.ts';
import { loadConfig } from '../../src/kernel/config.ts';
import { issueSetupToken } from '../../src/modules/identity/auth.routes.ts';
import { buildServer } from '../../src/server/app.ts';
import { openRuntime, type Runtime } from '../../src/server/runtime.ts';

/** The Chromium to drive, or null when there is none on this machine (the journeys are then skipped). */
export const chromiumPath: string | null = (() => {
  const p = process.env.HAVEN_CHROMIUM_PATH || '/usr/bin/chromium';
  return existsSync(p) ? p : null;
})();

export interface Haven {
  url: string;
  runtime: Runtime;
  /** demo accounts by the part of their e-mail before @ (admin, dpo, coordinator, …) */
  demo: Record<string, DemoCredential>;
  setupToken: string | null;
  close(): Promise<void>;
}

export async function startHaven(opts: { demo?: boolean } = {}): Promise<Haven> {
  const dataDir = await mkdtemp(path.join(tmpdir(), 'haven-e2e-'));
  const config = loadConfig({
    NODE_ENV: 'test',
    HOST: '127.0.0.1',
    PORT: '0',
    HAVEN_DATA_DIR: dataDir,
    HAVEN_LOG_LEVEL: 'silent',
  });
  const runtime = await openRuntime(config);
  const demo: Record<string, DemoCredential> = {};
  if (opts.demo) {
    for (const c of (await loadDemo(runtime.database.db, runtime.keys)) ?? []) demo[c.email.split('@')[0] as string] = c;
  }
  const app = await buildServer({ config, database: runtime.database, keys: runtime.keys, logger: false });
  await app.listen({ host: '127.0.0.1', port: 0 });
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  const setupToken = opts.demo ? null : await issueSetupToken(runtime.database.db);
  return {
    url: `http://127.0.0.1:${port}`,
    runtime,
    demo,
    setupToken,
    async close() {
      await app.close();
      await runtime.close();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

export async function launchBrowser(): Promise<Browser> {
  if (!chromiumPath) throw new Error('no Chromium');
  return chromium.launch({
    executablePath: chromiumPath,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}

export interface Tab {
  context: BrowserContext;
  page: Page;
  /** Console errors and CSP violations seen so far: the app must produce none. */
  errors: string[];
}

/** A fresh browser profile (no cookies, no storage) in the given language. */
export async function newTab(browser: Browser, locale = 'en-GB'): Promise<Tab> {
  const context = await browser.newContext({ locale, viewport: { width: 1280, height: 900 }, reducedMotion: 'reduce' });
  context.setDefaultTimeout(10_000);
  const page = await context.newPage();
  const errors: string[] = [];
  page.on('console', (m) => {
    // 4xx answers the app expects (401 before sign-in, 400 on a bad form) are logged by Chromium as
    // "Failed to load resource"; they are answers, not faults.
    if (m.type() === 'error' && !/Failed to load resource: the server responded with a status of 4\d\d/.test(m.text())) errors.push(m.text());
  });
  page.on('pageerror', (e) => errors.push(String(e)));
  return { context, page, errors };
}

const lastStep = new Map<string, number>();

/**
 * A valid TOTP code that was not used before: Haven accepts each time step once and tolerates one
 * step of drift, so when this step is spent the next one is used, or we wait for it.
 */
export async function freshTotp(secret: string): Promise<string> {
  for (;;) {
    const now = Math.floor(Date.now() / 30_000);
    const last = lastStep.get(secret) ?? -1;
    const step = last < now ? now : last < now + 1 ? now + 1 : null;
    if (step !== null) {
      lastStep.set(secret, step);
      return generate({ secret, epoch: step * 30 });
    }
    await new Promise((r) => setTimeout(r, 1000));
  }
}

/** Remember that a code for this step was used outside freshTotp (e.g. typed from the page). */
export function markTotpUsed(secret: string): void {
  lastStep.set(secret, Math.max(lastStep.get(secret) ?? -1, Math.floor(Date.now() / 1000 / 30)));
}

/** Axe on the current page; returns the serious and critical violations, readable. */
export async function seriousViolations(page: Page): Promise<string[]> {
  // A dialog still fading in has text at partial opacity: axe would measure a contrast no one
  // reads. Wait for transitions to end (not for endless ones, such as a spinner).
  await page
    .waitForFunction(
      () => document.getAnimations().every((a) => a.playState !== 'running' || a.effect?.getTiming().iterations === Number.POSITIVE_INFINITY),
      undefined,
      {
        timeout: 5_000,
      },
    )
    .catch(() => undefined);
  const results = await new AxeBuilder({ page }).analyze();
  return results.violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${v.impact} ${v.id}: ${v.help} — ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
}

/** Sign in through the UI: e-mail, password, then the authenticator code. */
export async function signIn(page: Page, url: string, cred: { email: string; password: string; totpSecret: string }): Promise<void> {
  await page.goto(`${url}/login`);
  await page
    .getByLabel(/e-mail|courriel|E-Mail/i)
    .first()
    .fill(cred.email);
  await page.locator('input[name="password"]').fill(cred.password);
  await page.locator('form button[type="submit"]').click();
  await page.locator('input[name="code"]').fill(await freshTotp(cred.totpSecret));
  await page.locator('form button[type="submit"]').click();
  await page.locator('#main-navigation').waitFor();
}

/** Waits until the locator is visible (the journeys' basic assertion); fails with what was awaited. */
export async function visible(locator: Locator, timeout = 10_000): Promise<void> {
  try {
    await locator.first().waitFor({ state: 'visible', timeout });
  } catch {
    throw new Error(`Expected to see ${String(locator)} within ${timeout} ms`);
  }
}

/** Waits until the locator is gone or hidden. */
export async function hidden(locator: Locator, timeout = 10_000): Promise<void> {
  await locator.first().waitFor({ state: 'hidden', timeout });
}

/** What has keyboard focus: its aria-label, [name=…], label, and text, for matching. */
export function focused(page: Page): Promise<string> {
  return page.evaluate(() => {
    const e = document.activeElement as HTMLElement | null;
    if (!e || e === document.body) return '';
    const field = e as HTMLInputElement;
    const label = field.labels?.[0]?.textContent ?? '';
    const text = e.tagName === 'INPUT' || e.tagName === 'SELECT' || e.tagName === 'TEXTAREA' ? '' : (e.textContent ?? '');
    return [e.getAttribute('aria-label') ?? '', field.name ? `[name=${field.name}]` : '', label, text].join(' | ');
  });
}

/** Presses Tab (only Tab) until the focused element matches; fails if it never does. */
export async function tabTo(page: Page, what: string | RegExp, max = 60): Promise<void> {
  const seen: string[] = [];
  for (let i = 0; i < max; i++) {
    await page.keyboard.press('Tab');
    const d = await focused(page);
    seen.push(d);
    if (typeof what === 'string' ? d.includes(what) : what.test(d)) return;
  }
  throw new Error(`Tab never reached ${String(what)}; went through:\n  ${seen.join('\n  ')}`);
}

/** The focused element shows a focus ring (outline), so that a keyboard user sees where they are. */
export function focusRingVisible(page: Page): Promise<boolean> {
  return page.evaluate(() => {
    const e = document.activeElement as HTMLElement | null;
    if (!e) return false;
    const s = getComputedStyle(e);
    return (s.outlineStyle !== 'none' && Number.parseFloat(s.outlineWidth) > 0) || (s.boxShadow !== 'none' && s.boxShadow !== '');
  });
}
