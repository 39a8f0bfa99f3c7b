/**
 * Signing in and staying signed in: password then authenticator code, throttling after five wrong
 * passwords, the language (picked before signing in, saved with the account, kept after reload and
 * on another device), the end of a session, navigation by permission, and the 404 page.
 * The demo accounts all have Dutch as their saved language.
 */
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { chromiumPath, freshTotp, type Haven, launchBrowser, newTab, seriousViolations, startHaven, visible } from './harness.ts';

async function passwordStep(page: Page, email: string, password: string): Promise<void> {
  await page.locator('input[name="email"]').fill(email);
  await page.locator('input[name="password"]').fill(password);
  await page.locator('form button[type="submit"]').click();
}

describe.skipIf(!chromiumPath)('signing in', () => {
  let haven: Haven;
  let browser: Browser;

  beforeAll(async () => {
    [haven, browser] = await Promise.all([startHaven({ demo: true }), launchBrowser()]);
  });
  afterAll(async () => {
    await browser?.close();
    await haven?.close();
  });

  test('password, then the authenticator code; a wrong code is refused', async () => {
    const admin = haven.demo.admin!;
    const { page, context, errors } = await newTab(browser);
    await page.goto(`${haven.url}/admin/users`);
    // Not signed in: sent to the sign-in page, in the browser's language.
    await visible(page.getByRole('heading', { level: 1, name: 'Sign in' }));
    expect(await page.evaluate(() => document.documentElement.lang)).toBe('en');
    expect(await seriousViolations(page), 'login page').toEqual([]);

    await passwordStep(page, admin.email, admin.password);
    // From here on Haven knows who it is, and speaks their saved language: Dutch.
    await visible(page.getByRole('heading', { level: 1, name: 'Geef uw code in' }));
    expect(await seriousViolations(page), 'MFA challenge page').toEqual([]);
    await page.locator('input[name="code"]').fill('123456');
    await page.getByRole('button', { name: 'Verder' }).click();
    await visible(page.getByRole('alert').filter({ hasText: 'Die code is niet geldig' }));
    expect(await seriousViolations(page), 'MFA challenge page with an error').toEqual([]);

    await page.locator('input[name="code"]').fill(await freshTotp(admin.totpSecret));
    await page.getByRole('button', { name: 'Verder' }).click();
    // Back where the user wanted to go.
    await visible(page.getByRole('heading', { level: 1, name: 'Gebruikers' }));
    expect(page.url()).toBe(`${haven.url}/admin/users`);
    expect(await page.evaluate(() => document.documentElement.lang)).toBe('nl');
    expect(errors, 'console errors or CSP violations').toEqual([]);
    await context.close();
  });

  test('five wrong passwords: the sixth attempt is told to wait so many minutes', async () => {
    const caller = haven.demo.caller!;
    const { page, context } = await newTab(browser);
    await page.goto(`${haven.url}/login`);
    for (let i = 1; i <= 5; i++) {
      await passwordStep(page, caller.email, `wrong password number ${i}`);
      await visible(page.getByRole('alert').filter({ hasText: 'The e-mail address or the password is not correct.' }));
    }
    // Even the right password is now refused until the wait is over.
    await passwordStep(page, caller.email, caller.password);
    const alert = page.getByRole('alert').filter({ hasText: /Try again in \d+ minutes/ });
    await visible(alert);
    expect(await alert.textContent()).toMatch(/Too many failed attempts\. Try again in 1[45] minutes\./);
    expect(await seriousViolations(page), 'login page with the throttling message').toEqual([]);
    await context.close();
  });

  test('the language: picked before signing in, saved with the account, kept after reload and elsewhere', async () => {
    const coordinator = haven.demo.coordinator!;
    const { page, context, errors } = await newTab(browser);
    await page.goto(`${haven.url}/login`);
    await visible(page.getByRole('heading', { level: 1, name: 'Sign in' }));
    await page.getByRole('combobox', { name: 'Language' }).selectOption('fr');
    await visible(page.getByRole('heading', { level: 1, name: 'Se connecter' }));
    expect(await page.evaluate(() => document.documentElement.lang)).toBe('fr');
    await page.reload();
    await visible(page.getByRole('heading', { level: 1, name: 'Se connecter' }));

    // Chosen before signing in: French wins over the Dutch saved with the account, and is saved.
    await passwordStep(page, coordinator.email, coordinator.password);
    await visible(page.getByRole('heading', { level: 1, name: 'Saisissez votre code' }));
    await page.locator('input[name="code"]').fill(await freshTotp(coordinator.totpSecret));
    await page.getByRole('button', { name: 'Continuer' }).click();
    await visible(page.getByRole('heading', { level: 1, name: 'Bienvenue, Patsy Coördinator' }));
    await visible(page.getByRole('heading', { level: 2, name: 'Mes programmes' }));
    // Their programmes, with their role in each.
    await visible(page.getByRole('listitem').filter({ hasText: 'Proactieve contactname' }).filter({ hasText: 'Coordinateur' }));
    expect(await seriousViolations(page), 'home page').toEqual([]);

    // Switched in the header: German at once, and saved.
    await page.getByRole('combobox', { name: 'Langue' }).selectOption('de');
    await visible(page.getByRole('heading', { level: 1, name: 'Willkommen, Patsy Coördinator' }));
    expect(await page.evaluate(() => document.documentElement.lang)).toBe('de');
    await page.reload();
    await visible(page.getByRole('heading', { level: 1, name: 'Willkommen, Patsy Coördinator' }));
    await page.getByRole('button', { name: 'Abmelden' }).click();
    await visible(page.getByText('Sie haben sich abgemeldet.'));
    expect(errors).toEqual([]);
    await context.close();

    // Another device (a fresh browser in English): after signing in, the saved German.
    const other = await newTab(browser);
    await other.page.goto(`${haven.url}/login`);
    await visible(other.page.getByRole('heading', { level: 1, name: 'Sign in' }));
    await passwordStep(other.page, coordinator.email, coordinator.password);
    await other.page.locator('input[name="code"]').fill(await freshTotp(coordinator.totpSecret));
    await other.page.locator('form button[type="submit"]').click();
    await visible(other.page.getByRole('heading', { level: 1, name: 'Willkommen, Patsy Coördinator' }));
    expect(await other.page.evaluate(() => document.documentElement.lang)).toBe('de');
    await other.context.close();
  });

  test('a session that ended on the server sends the user to sign in, with a message, then back', async () => {
    const admin = haven.demo.admin!;
    const { page, context, errors } = await newTab(browser);
    await page.goto(`${haven.url}/login`);
    await passwordStep(page, admin.email, admin.password);
    await page.locator('input[name="code"]').fill(await freshTotp(admin.totpSecret));
    await page.locator('form button[type="submit"]').click();
    await visible(page.getByRole('heading', { level: 1, name: 'Welkom, Ann Admin' }));

    // The session ends behind the app's back (idle timeout, signed out elsewhere).
    const { csrfToken } = (await (await page.request.get(`${haven.url}/api/session`)).json()) as { csrfToken: string };
    expect((await page.request.post(`${haven.url}/api/auth/logout`, { headers: { 'x-csrf-token': csrfToken } })).status()).toBe(204);

    await page.getByRole('navigation').getByRole('link', { name: 'Auditlog' }).click();
    await visible(page.getByText('Uw sessie is afgelopen'));
    await visible(page.getByRole('heading', { level: 1, name: 'Aanmelden' }));
    await passwordStep(page, admin.email, admin.password);
    await page.locator('input[name="code"]').fill(await freshTotp(admin.totpSecret));
    await page.locator('form button[type="submit"]').click();
    await visible(page.getByRole('heading', { level: 1, name: 'Auditlog' }));
    expect(errors).toEqual([]);
    await context.close();
  });

  test('the navigation follows the permissions; a page not allowed says so', async () => {
    const police = haven.demo.police!;
    const { page, context } = await newTab(browser);
    await page.goto(`${haven.url}/login`);
    await passwordStep(page, police.email, police.password);
    await page.locator('input[name="code"]').fill(await freshTotp(police.totpSecret));
    await page.locator('form button[type="submit"]').click();
    await visible(page.getByRole('heading', { level: 1, name: 'Welkom, Inspecteur Maes' }));
    const links = await page.getByRole('navigation', { name: 'Hoofdnavigatie' }).getByRole('link').allTextContents();
    // A police liaison follows their own uploads, and sees nothing of the dossiers.
    expect(links).toEqual(['Start', 'Politie-imports', 'Mijn profiel']);
    await page.goto(`${haven.url}/admin/users`);
    await visible(page.getByRole('heading', { level: 1, name: 'Geen toegang' }));
    await context.close();
  });

  test('an unknown address: a friendly 404, signed in or not', async () => {
    const { page, context, errors } = await newTab(browser);
    await page.goto(`${haven.url}/this/does/not/exist`);
    await visible(page.getByRole('heading', { level: 1, name: 'Page not found' }));
    await visible(page.getByRole('link', { name: 'Go to sign in' }));
    expect(await seriousViolations(page), '404 page, signed out').toEqual([]);

    const dpo = haven.demo.dpo!;
    await page.getByRole('link', { name: 'Go to sign in' }).click();
    await passwordStep(page, dpo.email, dpo.password);
    await page.locator('input[name="code"]').fill(await freshTotp(dpo.totpSecret));
    await page.locator('form button[type="submit"]').click();
    await visible(page.getByRole('heading', { level: 1, name: 'Welkom, Dirk DPO' }));
    await page.goto(`${haven.url}/this/does/not/exist`);
    await visible(page.getByRole('heading', { level: 1, name: 'Pagina niet gevonden' }));
    await visible(page.getByRole('navigation', { name: 'Hoofdnavigatie' }));
    expect(await seriousViolations(page), '404 page, signed in').toEqual([]);
    expect(errors).toEqual([]);
    await context.close();
  });
});
