/**
 * Police referrals as the coordinator of the outreach works with them, in Dutch: the police zone
 * Carma's export (the real sample, mess included) is uploaded, its columns mapped as Haven
 * suggests, the preview checked figure by figure, then committed; the dossiers and their contacts
 * appear, an identity is read for a stated purpose, a contact is closed, a referral is typed in by
 * hand. Then the zone's police liaison, in English, uploads an Excel export and sees where their
 * own upload stands, and nothing of the dossiers. Every new page is scanned with axe.
 * The demo loads Carma's signed, active data-sharing protocol for the outreach programme.
 */
import { createWriteStream } from 'node:fs';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { finished } from 'node:stream/promises';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { writePoliceExportXlsx } from '../../src/modules/referrals/generate.ts';
import { chromiumPath, type Haven, hidden, launchBrowser, newTab, seriousViolations, signIn, startHaven, type Tab, visible } from './harness.ts';

const SAMPLE = path.resolve('test/fixtures/police/police-export-carma.csv');
const DMY_HM = /^\d{2}\/\d{2}\/\d{4} \d{2}:\d{2}$/;

/** The figure shown under its label in the preview. */
const figure = (page: Page, id: string) => page.locator(`[data-testid="figure-${id}"] dd`).first();

describe.skipIf(!chromiumPath)('referrals', () => {
  let haven: Haven;
  let browser: Browser;
  let tab: Tab;
  let page: Page;
  let tmp: string;
  let xlsx: string;

  beforeAll(async () => {
    tmp = await mkdtemp(path.join(tmpdir(), 'haven-e2e-referrals-'));
    xlsx = path.join(tmp, 'carma-export-week-12.xlsx');
    const out = createWriteStream(xlsx);
    [haven, browser] = await Promise.all([startHaven({ demo: true }), launchBrowser(), writePoliceExportXlsx(out, { rows: 40, lang: 'nl', seed: 12 })]);
    out.end();
    await finished(out);
    // The liaison has no saved language: Haven follows the browser (English). The coordinator keeps Dutch.
    await haven.runtime.database.db.updateTable('users').set({ locale: null }).where('email', '=', 'police@demo.haven.test').execute();
    tab = await newTab(browser);
    page = tab.page;
  });
  afterAll(async () => {
    await browser?.close();
    await haven?.close();
    if (tmp) await rm(tmp, { recursive: true, force: true });
  });

  test('coordinator: upload the Carma export, map, preview the figures, commit; see dossiers and contacts', async () => {
    await signIn(page, haven.url, haven.demo.coordinator!);
    const nav = page.locator('#main-navigation');
    await nav.getByRole('link', { name: 'Politie-imports' }).click();
    await visible(page.getByRole('heading', { level: 1, name: 'Politie-imports' }));
    // The only outreach programme of the coordinator is chosen by itself, and kept in the address.
    await page.waitForURL(/[?&]programme=[0-9a-f-]{36}/);
    const programmeId = new URL(page.url()).searchParams.get('programme') as string;
    await visible(page.getByText('Programma: Proactieve contactname (Hoe gaat het met u?)'));
    await visible(page.getByText('Nog geen import.'));
    expect(await seriousViolations(page), 'imports page').toEqual([]);

    // Step 1: the sender (the only zone with an active protocol, chosen) and the file.
    await page.getByRole('link', { name: 'Nieuwe import' }).click();
    await visible(page.getByRole('heading', { level: 1, name: 'Nieuwe import' }));
    expect(await page.locator('select[name="senderOrganisationId"] option:checked').textContent()).toBe('Politiezone Carma');
    await visible(page.getByText('Protocol: Protocol gegevensdeling groene dossiers Carma, zonder einddatum.'));
    await visible(page.getByText('Een CSV-bestand of een Excel-werkmap (.xlsx), hoogstens 200 MB.'));
    expect(await page.locator('ol[aria-label="Stappen van de import"] [aria-current="step"]').textContent()).toContain('Afzender en bestand');
    await page.getByRole('button', { name: 'Volgende: kolommen nakijken' }).click();
    await visible(page.getByText('Kies het bestand dat u wilt importeren.'));
    expect(await seriousViolations(page), 'wizard, file step with an error').toEqual([]);

    await page.locator('input[type="file"]').setInputFiles(SAMPLE);
    const inspected = page.waitForRequest((r) => r.method() === 'POST' && r.url().includes('/imports/inspect?'));
    await page.getByRole('button', { name: 'Volgende: kolommen nakijken' }).click();
    const inspect = await inspected;
    // The start of the file only, as the raw body, with the CSRF token.
    expect(inspect.headers()['content-type']).toBe('text/csv');
    expect(inspect.headers()['x-csrf-token']).toBeTruthy();
    expect(new URL(inspect.url()).searchParams.get('fileName')).toBe('police-export-carma.csv');
    expect(Number((await inspect.allHeaders())['content-length'])).toBe(Math.min(64 * 1024, (await stat(SAMPLE)).size));

    // Step 2: every field mapped as Haven suggests; the required ones marked; no column left over.
    await visible(page.getByRole('heading', { name: 'Welke kolom bevat wat' }));
    expect(await page.locator('select[name="columns.pv_number"]').inputValue()).toBe('PV-nummer');
    expect(await page.locator('select[name="columns.colour"]').inputValue()).toBe('Kleurcode');
    expect(await page.locator('select[name="columns.mobile"]').inputValue()).toBe('GSM');
    expect(await page.locator('tr[data-field="last_name"]').textContent()).toContain('(verplicht)');
    await visible(page.getByText('Elke kolom van het bestand wordt gebruikt.'));
    await visible(page.getByText('police-export-carma.csv (51 kB): CSV, 22 kolommen.', { exact: false }));
    await page.locator('input[name="saveMappingAs"]').fill('Carma standaard');
    expect(await seriousViolations(page), 'wizard, columns step').toEqual([]);

    // Step 3: started, then the whole file is sent as the raw body; step 4: the preview.
    const uploaded = page.waitForRequest((r) => r.method() === 'PUT' && r.url().endsWith('/file'));
    await page.getByRole('button', { name: 'Volgende: bestand opladen en nakijken' }).click();
    const put = await uploaded;
    expect(Number((await put.allHeaders())['content-length'])).toBe((await stat(SAMPLE)).size);
    const follow = page.locator('[data-testid="import-follow"][data-status="previewed"]');
    await visible(follow, 30_000);
    expect(page.url()).toMatch(/[?&]import=[0-9a-f-]{36}/);
    await visible(page.getByRole('heading', { name: 'Voorbeeld: wat de import zal doen' }));
    expect(await figure(page, 'rows').textContent()).toBe('280');
    expect(await figure(page, 'accepted').textContent()).toBe('269');
    expect(await figure(page, 'set-aside').textContent()).toBe('11');
    expect(await figure(page, 'known').textContent()).toBe('4');
    expect(await figure(page, 'without-phone').textContent()).toBe('22');
    expect(Number(await figure(page, 'warnings').textContent())).toBeGreaterThan(0);
    // Set aside, each with its reason; the warnings by kind.
    const reasons = page.getByTestId('set-aside-reasons');
    expect(await reasons.locator('[data-reason="orange"]').textContent()).toBe(
      '6 × Oranje dossier: naar de aparte lijst van de coördinator, niet naar de outreach',
    );
    expect(await reasons.locator('[data-reason="no_pv_number"]').textContent()).toBe('1 × Geen PV-nummer');
    expect(await reasons.locator('[data-reason="duplicate_in_file"]').textContent()).toBe('4 × Dezelfde persoon twee keer in dit bestand');
    expect(await page.getByTestId('warning-counts').locator('[data-warning="phone_unusable"]').textContent()).toMatch(
      /^\d+ × Onbruikbaar telefoonnummer: leeg gelaten$/,
    );
    // The rows themselves: set aside (row number, PV number, reason), then those with warnings.
    const setAsideRows = page.getByTestId('rows-set_aside').locator('tbody tr');
    await page.waitForFunction(() => document.querySelectorAll('[data-testid="rows-set_aside"] tbody tr').length === 11);
    expect(await setAsideRows.filter({ hasText: 'Geen PV-nummer' }).count()).toBe(1);
    expect(await setAsideRows.filter({ hasText: 'HA.55.L7.' }).filter({ hasText: 'Oranje dossier' }).count()).toBe(6);
    expect(await seriousViolations(page), 'preview').toEqual([]);
    await page.getByRole('tab', { name: /^Met waarschuwingen \(\d+\)$/ }).click();
    await visible(page.getByTestId('rows-warning').locator('tbody tr').filter({ hasText: 'Onbruikbaar telefoonnummer: leeg gelaten' }));
    // The report, as a CSV in the user's language.
    const href = (await page.getByTestId('report-link').getAttribute('href')) as string;
    const report = await page.request.get(`${haven.url}${href}`);
    expect(report.status()).toBe(200);
    expect(report.headers()['content-type']).toContain('text/csv');
    expect(await report.text()).toContain('Oranje dossier');

    // A reload lands on the same import, at the same step.
    await page.reload();
    await visible(follow);
    expect(await page.locator('ol[aria-label="Stappen van de import"] [aria-current="step"]').textContent()).toContain('Voorbeeld');

    // Commit: all at once.
    await page.getByRole('button', { name: 'Importeren', exact: true }).click();
    await visible(page.locator('[data-testid="import-follow"][data-status="committed"]'), 20_000);
    await visible(page.getByText(/^Geïmporteerd op \d{2}\/\d{2}\/\d{4} \d{2}:\d{2}\. Nieuwe dossiers: 140; contacten: 275\.$/));
    expect(await figure(page, 'contacts').textContent()).toBe('275');
    expect(await seriousViolations(page), 'committed import').toEqual([]);

    // The list: the import, its status in words, its figures, its date as DD/MM/YYYY HH:MM.
    await page.getByRole('link', { name: 'Terug naar de imports' }).click();
    const row = page.locator('tbody tr[data-status="committed"]');
    await visible(row);
    expect(await row.locator('td').nth(1).textContent()).toBe('Politiezone Carma');
    expect(await row.locator('td').nth(2).textContent()).toBe('Patsy Coördinator');
    expect(await row.locator('td').nth(3).textContent()).toMatch(DMY_HM);
    expect(await row.textContent()).toContain('Geïmporteerd');
    expect(await row.textContent()).toContain('Rijen: 280');
    expect(await row.textContent()).toContain('Aangemaakte contacten: 275');
    expect(await seriousViolations(page), 'imports page with an import').toEqual([]);
    // The import's own page, from the list.
    await row.getByRole('link', { name: 'police-export-carma.csv' }).click();
    await visible(page.getByRole('heading', { level: 1, name: 'Import' }));
    await visible(page.locator('[data-testid="import-follow"][data-status="committed"]'));
    expect(await seriousViolations(page), 'import page').toEqual([]);

    // The dossiers: 140 in all, 3 of them orange, on the separate list.
    await nav.getByRole('link', { name: 'Dossiers' }).click();
    await visible(page.getByRole('heading', { level: 1, name: 'Dossiers' }));
    expect(new URL(page.url()).searchParams.get('programme')).toBe(programmeId);
    await visible(page.getByText('1–25 van 137'));
    const green = page.getByTestId('dossiers-green');
    expect(await green.locator('tbody tr').count()).toBe(25);
    expect(await green.locator('tbody tr').first().locator('td').first().textContent()).toMatch(/^D-[0-9A-F]{6}/);
    expect(await green.locator('tbody tr [data-colour="green"]').first().textContent()).toBe('Groen');
    expect(await seriousViolations(page), 'dossiers, green').toEqual([]);
    await page.getByRole('tab', { name: 'Oranje en rood: aparte lijst' }).click();
    const orange = page.getByTestId('dossiers-orange');
    await visible(orange);
    expect(await orange.locator('tbody tr [data-colour="orange"]').count()).toBe(3);
    expect(await page.getByTestId('dossiers-red').textContent()).toContain('Geen dossier.');
    expect(await seriousViolations(page), 'dossiers, separate list').toEqual([]);
    // By municipality.
    await page.getByRole('tab', { name: 'Groen: outreach' }).click();
    // The tab is in the address; a filter chosen before it got there would bring the old tab back.
    await page.waitForFunction(() => !location.search.includes('list=separate'));
    await visible(page.getByTestId('dossiers-green'));
    await page.locator('select[name="nisCode"]').selectOption({ label: 'Genk' });
    await page.waitForFunction(() => {
      const cells = [...document.querySelectorAll('[data-testid="dossiers-green"] tbody tr td:nth-child(3)')];
      return cells.length > 0 && cells.every((c) => c.textContent === 'Genk');
    });

    // A dossier and its contacts; an identity read for a purpose; a contact closed.
    await green.locator('tbody tr').first().getByRole('link').click();
    await visible(page.getByRole('heading', { level: 1, name: /^Dossier D-[0-9A-F]{6}$/ }));
    const contacts = page.getByTestId('contacts');
    await visible(contacts.locator('tbody tr'));
    expect(await contacts.locator('tbody tr').first().textContent()).toMatch(/C-[0-9A-F]{6}/);
    expect(await seriousViolations(page), 'dossier').toEqual([]);
    const first = contacts.locator('tbody tr').first();
    const ref = ((await first.locator('th').textContent()) ?? '').trim();
    await first.getByRole('button', { name: `Identiteit tonen (${ref})` }).click();
    const dialog = page.getByRole('dialog', { name: `Identiteit van ${ref}` });
    await visible(dialog);
    await visible(dialog.getByText('Wie ze leest, wordt bijgehouden in het auditlogboek', { exact: false }));
    await dialog.getByRole('button', { name: 'Identiteit tonen' }).click();
    await visible(dialog.getByRole('alert'));
    expect(await seriousViolations(page), 'identity dialog with an error').toEqual([]);
    await dialog.getByLabel('Het gesprek voorbereiden').check();
    await dialog.getByRole('button', { name: 'Identiteit tonen' }).click();
    await visible(dialog.getByTestId('identity'));
    await visible(dialog.getByText(/^Bijgehouden in het auditlogboek op \d{2}\/\d{2}\/\d{4} \d{2}:\d{2}, met als doel: Het gesprek voorbereiden\.$/));
    expect(await dialog.getByTestId('identity').textContent()).toContain('HA.55.L7.');
    expect(await seriousViolations(page), 'identity shown').toEqual([]);
    const read = await haven.runtime.database.db
      .selectFrom('audit_events')
      .select(['purpose'])
      .where('action', '=', 'contact.identity_read')
      .executeTakeFirstOrThrow();
    expect(read.purpose).toBe('Het gesprek voorbereiden');
    await dialog.getByRole('button', { name: 'Sluiten en verbergen' }).click();
    await hidden(dialog);

    await first.getByRole('button', { name: `Afsluiten als niet geïnformeerd (${ref})` }).click();
    const confirm = page.getByRole('dialog', { name: `${ref} afsluiten als niet geïnformeerd?` });
    await visible(confirm);
    expect(await seriousViolations(page), 'close contact dialog').toEqual([]);
    await confirm.getByRole('button', { name: 'Afsluiten als niet geïnformeerd' }).click();
    await hidden(confirm);
    await visible(page.getByRole('status').filter({ hasText: `Contact ${ref} is afgesloten: niet geïnformeerd.` }));
    await visible(first.getByText(/^Afgesloten: niet geïnformeerd \(\d{2}\/\d{2}\/\d{4}\)$/));

    // A referral by hand: the wrong mobile is said under the mobile of person 1.
    await page.getByRole('link', { name: 'Terug naar de dossiers' }).click();
    await page.getByRole('link', { name: 'Nieuwe aanmelding met de hand' }).click();
    await visible(page.getByRole('heading', { level: 1, name: 'Nieuwe aanmelding met de hand' }));
    expect(await seriousViolations(page), 'manual referral').toEqual([]);
    await page.locator('input[name="dossier.pv_number"]').fill('HA.55.L7.000123/2025');
    await page.locator('input[name="dossier.facts_date"]').fill('02/01/2025');
    await page.locator('select[name="dossier.municipality"]').selectOption('Bree');
    await page.locator('input[name="persons.0.last_name"]').fill('Vermeulen');
    await page.locator('input[name="persons.0.first_name"]').fill('Lies');
    await page.locator('input[name="persons.0.mobile"]').fill('12');
    await page.getByRole('button', { name: 'Dossier aanmaken' }).click();
    await visible(page.locator('input[name="persons.0.mobile"][aria-invalid="true"]'));
    expect(await page.locator('input[name="dossier.pv_number"]').getAttribute('aria-invalid')).not.toBe('true');
    expect(await seriousViolations(page), 'manual referral with an error').toEqual([]);
    await page.locator('input[name="persons.0.mobile"]').fill('0470 12 34 56');
    await page.getByRole('button', { name: 'Dossier aanmaken' }).click();
    await visible(page.getByRole('status').filter({ hasText: /^Dossier D-[0-9A-F]{6} werd aangemaakt \(contacten: 1\)\.$/ }));
    await visible(page.getByText('Met de hand ingevoerd'));
    await visible(page.getByText('Bree (72004)'));
    expect(tab.errors, 'console errors or CSP violations').toEqual([]);
  });

  test('police liaison: uploads an Excel export, sees their own import with its status and figures, and no dossier', async () => {
    await tab.context.close();
    tab = await newTab(browser);
    page = tab.page;
    await signIn(page, haven.url, haven.demo.police!);
    const links = await page.locator('#main-navigation').getByRole('link').allTextContents();
    expect(links).toEqual(['Home', 'Police imports', 'My profile']);
    await page.locator('#main-navigation').getByRole('link', { name: 'Police imports' }).click();
    await visible(page.getByRole('heading', { level: 1, name: 'Police imports' }));
    // The coordinator's import is not theirs.
    await visible(page.getByText('No import yet.'));
    expect(await seriousViolations(page), 'imports page, liaison').toEqual([]);

    await page.getByRole('link', { name: 'New import' }).click();
    expect(await page.locator('select[name="senderOrganisationId"] option:checked').textContent()).toBe('Politiezone Carma');
    await page.locator('input[type="file"]').setInputFiles(xlsx);
    const inspected = page.waitForRequest((r) => r.method() === 'POST' && r.url().includes('/imports/inspect?'));
    await page.getByRole('button', { name: 'Next: check the columns' }).click();
    const inspect = await inspected;
    // A workbook is sent whole, as itself.
    expect(inspect.headers()['content-type']).toBe('application/vnd.openxmlformats-officedocument.spreadsheetml.sheet');
    expect(Number((await inspect.allHeaders())['content-length'])).toBe((await stat(xlsx)).size);
    await visible(page.getByText('Excel (.xlsx)', { exact: false }));
    expect(await page.locator('select[name="columns.pv_number"]').inputValue()).toBe('PV-nummer');
    await page.getByRole('button', { name: 'Next: upload and check the file' }).click();
    await visible(page.locator('[data-testid="import-follow"][data-status="previewed"]'), 30_000);
    expect(await figure(page, 'rows').textContent()).toBe('40');
    const accepted = await figure(page, 'accepted').textContent();

    await page.getByRole('link', { name: 'Back to the imports' }).click();
    const row = page.locator('tbody tr').filter({ hasText: 'carma-export-week-12.xlsx' });
    await visible(row);
    expect(await page.locator('tbody tr').count()).toBe(1);
    expect(await row.textContent()).toContain('Preview ready');
    expect(await row.textContent()).toContain('Rows: 40');
    expect(await row.textContent()).toContain(`Accepted: ${accepted}`);
    expect(await row.locator('td').nth(2).textContent()).toBe('Inspecteur Maes');
    expect(await seriousViolations(page), 'imports page with the liaison’s import').toEqual([]);

    // No dossier page: not in the navigation, not allowed by its address, not by the API.
    await page.goto(`${haven.url}/referrals/dossiers`);
    await visible(page.getByRole('heading', { level: 1, name: 'Not allowed' }));
    const api = await page.request.get(`${haven.url}/api/programmes/${await outreachId(page, haven.url)}/dossiers`);
    expect(api.status()).toBe(403);
    expect(tab.errors, 'console errors or CSP violations').toEqual([]);
  });
});

async function outreachId(page: Page, url: string): Promise<string> {
  const r = await page.request.get(`${url}/api/programmes`);
  const body = (await r.json()) as { items: { id: string; kind: string }[] };
  return body.items.find((p) => p.kind === 'outreach')?.id as string;
}
