/**
 * First start: the one-time setup link, the first administrator, the authenticator app (QR code,
 * a first code, the recovery codes shown once), then the app itself; a recovery code works once.
 */
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { chromiumPath, freshTotp, type Haven, launchBrowser, newTab, seriousViolations, startHaven, visible } from './harness.ts';

describe.skipIf(!chromiumPath)('first start', () => {
  let haven: Haven;
  let browser: Browser;
  const admin = { email: 'ann.admin@genk.test', password: 'violet tulip harbour 42', secret: '', recovery: [] as string[] };

  beforeAll(async () => {
    [haven, browser] = await Promise.all([startHaven(), launchBrowser()]);
  });
  afterAll(async () => {
    await browser?.close();
    await haven?.close();
  });

  test('setup link → first administrator → authenticator → recovery codes → the app', async () => {
    const { page, context, errors } = await newTab(browser);
    await page.goto(`${haven.url}/login`);
    await visible(page.getByText('Haven is not set up yet'));

    await page.goto(`${haven.url}/setup#${haven.setupToken}`);
    await visible(page.getByRole('heading', { level: 1, name: 'Set up Haven' }));
    // The token came from the address: no field asks for it.
    expect(await page.locator('input[name="token"]').count()).toBe(0);
    expect(await seriousViolations(page), 'setup page').toEqual([]);

    // A weak password is refused by the server, under its field.
    await page.locator('input[name="organisationName"]').fill('Stad Genk');
    await page.locator('input[name="displayName"]').fill('Ann Admin');
    await page.locator('input[name="email"]').fill(admin.email);
    await page.locator('input[name="password"]').fill('short');
    await page.locator('input[name="repeat"]').fill('short');
    await page.getByRole('button', { name: 'Create the administrator' }).click();
    await visible(page.getByRole('alert').first());
    await visible(page.getByText('Use at least 12 characters.'));
    expect(await seriousViolations(page), 'setup page with errors').toEqual([]);

    await page.locator('input[name="password"]').fill(admin.password);
    await page.locator('input[name="repeat"]').fill(admin.password);
    await page.getByRole('button', { name: 'Create the administrator' }).click();

    // Enrolment: a QR code that really is an image, and the key as text.
    await visible(page.getByRole('heading', { level: 1, name: 'Set up your authenticator app' }));
    const qr = page.getByRole('img', { name: 'QR code to scan with your authenticator app' });
    await visible(qr);
    expect(await qr.evaluate((img: HTMLImageElement) => img.complete && img.naturalWidth > 0)).toBe(true);
    admin.secret = ((await page.getByTestId('totp-secret').textContent()) ?? '').replace(/\s/g, '');
    expect(admin.secret).toMatch(/^[A-Z2-7]{16,}$/);
    expect(await seriousViolations(page), 'enrolment page').toEqual([]);

    // A wrong code is refused, a right one accepted.
    await page.locator('input[name="code"]').fill('000000');
    await page.getByRole('button', { name: 'Confirm' }).click();
    await visible(page.getByText('That code is not valid.'));
    await page.locator('input[name="code"]').fill(await freshTotp(admin.secret));
    await page.getByRole('button', { name: 'Confirm' }).click();

    // Ten recovery codes, shown once; going on needs the "I have saved them" step.
    await visible(page.getByRole('heading', { level: 1, name: 'Save your recovery codes' }));
    const codes = await page.getByTestId('recovery-codes').locator('li').allTextContents();
    expect(codes).toHaveLength(10);
    for (const c of codes) expect(c).toMatch(/^[a-z0-9]{4}-[a-z0-9]{4}-[a-z0-9]{4}$/);
    admin.recovery = codes;
    const go = page.getByRole('button', { name: 'Continue to Haven' });
    expect(await go.isDisabled()).toBe(true);
    expect(await seriousViolations(page), 'recovery codes page').toEqual([]);
    await page.getByLabel('I have saved these recovery codes').check();
    await go.click();

    // In the app, as the administrator, with the administration in the navigation.
    await visible(page.getByRole('heading', { level: 1, name: 'Welcome, Ann Admin' }));
    const nav = page.getByRole('navigation', { name: 'Main navigation' });
    for (const item of ['Users', 'Organisations', 'Projects and programmes', 'Audit trail']) await visible(nav.getByRole('link', { name: item }));
    expect(errors, 'console errors or CSP violations').toEqual([]);

    // The link is spent.
    await page.goto(`${haven.url}/setup#${haven.setupToken}`);
    await visible(page.getByRole('heading', { level: 1, name: 'Haven is already set up' }));
    await context.close();
  });

  test('a recovery code signs in once, and says how many are left', async () => {
    const { page, context, errors } = await newTab(browser);
    await page.goto(`${haven.url}/login`);
    await page.locator('input[name="email"]').fill(admin.email);
    await page.locator('input[name="password"]').fill(admin.password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await visible(page.getByRole('heading', { level: 1, name: 'Enter your code' }));
    await page.getByRole('button', { name: 'Use a recovery code instead' }).click();
    await page.locator('input[name="code"]').fill(admin.recovery[0] as string);
    await page.getByRole('button', { name: 'Continue' }).click();
    await visible(page.getByText('Recovery codes left: 9.', { exact: false }));
    await page.getByRole('button', { name: 'Go to my profile' }).click();
    await visible(page.getByRole('heading', { level: 1, name: 'My profile' }));

    // Signed out, the same code does not work a second time.
    await page.getByRole('button', { name: 'Sign out' }).click();
    await visible(page.getByText('You have signed out.'));
    await page.locator('input[name="email"]').fill(admin.email);
    await page.locator('input[name="password"]').fill(admin.password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('button', { name: 'Use a recovery code instead' }).click();
    await page.locator('input[name="code"]').fill(admin.recovery[0] as string);
    await page.getByRole('button', { name: 'Continue' }).click();
    await visible(page.getByRole('alert').filter({ hasText: 'That code is not valid' }));
    expect(errors).toEqual([]);
    await context.close();
  });
});
