/**
 * Data-sharing protocols as a coordinator works with them: the programme's protocols (the demo's
 * signed Carma protocol among them), a new one recorded through the form — its errors first —,
 * its signed PDF uploaded, after which it is active and its document downloads as it was sent;
 * then it is revoked. The main steps are done with the keyboard; every view is scanned by axe.
 */
import { createHash } from 'node:crypto';
import type { Browser, Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import {
  chromiumPath,
  focused,
  type Haven,
  hidden,
  launchBrowser,
  newTab,
  seriousViolations,
  signIn,
  startHaven,
  type Tab,
  tabTo,
  visible,
} from './harness.ts';

const TITLE = 'Protocol gegevensdeling groene dossiers 2025';
/** A small PDF, as a scanner would give it (the server only checks that it is one). */
const SIGNED_PDF = Buffer.from(
  '%PDF-1.4\n1 0 obj\n<< /Type /Catalog /Pages 2 0 R >>\nendobj\n2 0 obj\n<< /Type /Pages /Kids [] /Count 0 >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n',
  'latin1',
);
const sha256 = (b: Buffer) => createHash('sha256').update(b).digest('hex');

/**
 * Until the dialog and everything around it are fully opaque: a dialog whose fade-in has not
 * begun yet has no running animation to wait for, and axe would measure text at partial opacity.
 */
async function opaque(dialog: Locator): Promise<void> {
  await dialog.evaluate(
    (el) =>
      new Promise<void>((resolve) => {
        const check = () => {
          for (let e: Element | null = el; e; e = e.parentElement) if (Number(getComputedStyle(e).opacity) < 1) return void requestAnimationFrame(check);
          resolve();
        };
        check();
      }),
  );
}

describe.skipIf(!chromiumPath)('data-sharing protocols', () => {
  let haven: Haven;
  let browser: Browser;
  let tab: Tab;
  let page: Page;

  beforeAll(async () => {
    [haven, browser] = await Promise.all([startHaven({ demo: true }), launchBrowser()]);
    // No saved language: Haven follows the browser (English) in this file.
    await haven.runtime.database.db.updateTable('users').set({ locale: null }).execute();
    tab = await newTab(browser);
    page = tab.page;
  });
  afterAll(async () => {
    await browser?.close();
    await haven?.close();
  });

  test('a coordinator records a protocol, uploads the signed PDF and sees it active', async () => {
    const kb = page.keyboard;
    await signIn(page, haven.url, haven.demo.coordinator!);

    // Through the navigation, with the keyboard.
    await tabTo(page, /\| Protocols$/);
    await kb.press('Enter');
    await visible(page.getByRole('heading', { level: 1, name: 'Data-sharing protocols' }));
    expect(page.url()).toContain('/referrals/protocols');
    // One outreach programme: it is chosen without asking.
    await page.waitForURL(/[?&]programme=/);
    const carma = page.getByRole('listitem').filter({ has: page.getByRole('heading', { name: 'Protocol gegevensdeling groene dossiers Carma' }) });
    await visible(carma);
    await visible(carma.getByText('Active', { exact: true }));
    await visible(carma.getByText('Politiezone Carma shares with Veiligheidshuis Limburg (Family Justice Center)'));
    await visible(carma.getByText('from 01/01/2023, until revoked'));
    expect(await seriousViolations(page), 'protocols page').toEqual([]);

    // The form: sent empty, each field says what is wrong.
    await tabTo(page, 'New protocol');
    await kb.press('Enter');
    const dialog = page.getByRole('dialog', { name: 'New data-sharing protocol' });
    await visible(dialog);
    expect(await focused(page)).toContain('[name=title]');
    await tabTo(page, 'Record the protocol');
    await kb.press('Enter');
    await visible(dialog.locator('input[name="title"][aria-invalid="true"]'));
    await visible(dialog.locator('select[name="senderOrganisationId"][aria-invalid="true"]'));
    // Focus goes to the first field in error.
    expect(await focused(page)).toContain('[name=title]');
    await opaque(dialog);
    expect(await seriousViolations(page), 'new protocol dialog with errors').toEqual([]);

    // Filled in with the keyboard, a few fields by pointer.
    await kb.type(TITLE);
    await dialog.locator('select[name="senderOrganisationId"]').selectOption({ label: 'Politiezone Carma' });
    expect(await dialog.locator('select[name="receiverOrganisationId"] option:checked').textContent()).toBe('Veiligheidshuis Limburg (Family Justice Center)');
    await tabTo(page, '[name=purpose]');
    await kb.type('Proactieve contactname na een politie-interventie voor intrafamiliaal geweld (groene dossiers).');
    await dialog.locator('select[name="legalBasis"]').selectOption({ label: 'Penal Code art. 458ter: case consultation' });
    await tabTo(page, 'Names');
    await kb.press('Space');
    await tabTo(page, 'Phone numbers and e-mail');
    await kb.press('Space');
    expect(await dialog.getByRole('checkbox', { name: 'Incident' }).isChecked()).toBe(true);
    expect(await dialog.getByRole('checkbox', { name: 'Incident' }).isDisabled()).toBe(true);
    await tabTo(page, '[name=validFrom]');
    await kb.type('01/01/2025');
    await tabTo(page, '[name=validTo]');
    await kb.type('31/12/2024');
    await tabTo(page, '[name=retentionDays]');
    await kb.type('365');
    await kb.press('Enter');
    // The server checks the period and says so under the end date.
    await visible(dialog.getByText('The end date is before the start date.'));
    expect(await focused(page)).toContain('[name=validTo]');
    await dialog.locator('input[name="validTo"]').fill('');
    await dialog.getByRole('button', { name: 'Record the protocol' }).click();
    await hidden(dialog);
    await visible(page.getByRole('status').filter({ hasText: `The protocol “${TITLE}” has been recorded as a draft.` }));
    const card = page.getByRole('listitem').filter({ has: page.getByRole('heading', { name: TITLE }) });
    await visible(card.getByText('Draft, not signed'));
    await visible(card.getByText('Incident, Names, Phone numbers and e-mail'));
    await visible(card.getByText('365 days after a contact is closed'));
    await visible(card.getByText('Not uploaded yet: the protocol is not active.'));

    // The signed PDF.
    await card.getByRole('button', { name: `Upload the signed PDF of ${TITLE}` }).click();
    const upload = page.getByRole('dialog', { name: `Signed protocol for “${TITLE}”` });
    await visible(upload);
    await upload.getByRole('button', { name: 'Upload and activate' }).click();
    await visible(upload.getByText('Choose the PDF file of the signed protocol.'));
    await opaque(upload);
    expect(await seriousViolations(page), 'upload dialog with an error').toEqual([]);
    await upload.locator('input[type="file"]').setInputFiles({ name: 'Protocol Carma getekend.pdf', mimeType: 'application/pdf', buffer: SIGNED_PDF });
    await tabTo(page, 'Upload and activate');
    await kb.press('Enter');
    await hidden(upload);
    await visible(page.getByRole('status').filter({ hasText: `The signed protocol “${TITLE}” has been stored. Status: Active.` }));
    await visible(card.getByText('Active', { exact: true }));
    await visible(card.getByText(sha256(SIGNED_PDF)));
    expect(await seriousViolations(page), 'protocols page with the new protocol').toEqual([]);

    // The document comes back as it was sent, as an attachment.
    const link = card.getByRole('link', { name: `Download the PDF of ${TITLE}` });
    const href = (await link.getAttribute('href')) as string;
    const res = await page.request.get(`${haven.url}${href}`);
    expect(res.status()).toBe(200);
    expect(res.headers()['content-type']).toBe('application/pdf');
    expect(res.headers()['content-disposition']).toContain('attachment; filename="Protocol Carma getekend.pdf"');
    expect(sha256(await res.body())).toBe(sha256(SIGNED_PDF));

    // Once signed, it is no longer edited as a draft; it can be revoked.
    expect(await card.getByRole('button', { name: `Change the draft ${TITLE}` }).count()).toBe(0);
    await card.getByRole('button', { name: `Revoke ${TITLE}` }).focus();
    await kb.press('Enter');
    const confirm = page.getByRole('dialog', { name: `Revoke “${TITLE}”?` });
    await visible(confirm);
    await opaque(confirm);
    expect(await seriousViolations(page), 'revoke confirmation').toEqual([]);
    expect(await focused(page)).toContain('Revoke the protocol');
    await kb.press('Enter');
    await hidden(confirm);
    await visible(page.getByRole('status').filter({ hasText: `“${TITLE}” has been revoked.` }));
    await visible(card.getByText('Revoked', { exact: true }));
    expect(tab.errors, 'console errors or CSP violations').toEqual([]);
  });

  test('the page in Dutch and French uses the Belgian terms', async () => {
    for (const [locale, heading, status] of [
      ['nl', 'Protocollen gegevensdeling', 'Actief'],
      ['fr', 'Protocoles d’échange de données', 'Actif'],
    ] as const) {
      const t = await newTab(browser, locale === 'nl' ? 'nl-BE' : 'fr-BE');
      await signIn(t.page, haven.url, haven.demo.dpo!);
      await t.page.goto(`${haven.url}/referrals/protocols`);
      await visible(t.page.getByRole('heading', { level: 1, name: heading }));
      await visible(t.page.getByText(status, { exact: true }).first());
      // The DPO reads, and cannot change.
      expect(await t.page.getByRole('button', { name: /Intrekken|Révoquer/ }).count()).toBe(0);
      expect(await seriousViolations(t.page), `${locale} page`).toEqual([]);
      await t.context.close();
    }
  });
});
