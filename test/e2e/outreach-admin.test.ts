/**
 * The coordinator's outreach screens, in Dutch, on the demo's outreach programme with a seeded
 * outreach history (funnel.fixture.ts: contacts at every stage, attempts, conversations,
 * referrals, two escalations): the funnel of the first quarter of 2025 shows what the API
 * computes, line by line and adding up, traced to its contacts and downloaded as CSV; an
 * escalation is seen (the count in the navigation too) and acknowledged; a service is added
 * (its errors first); a scenario draft is made from the guide in use, edited with the keyboard
 * (errors at their field), and published; two contacts are assigned to a caller; the attempt rule
 * is changed. The analyst, in English, sees the funnel and nothing else of the outreach. Every
 * screen is scanned with axe. With HAVEN_E2E_SHOTS=<folder> each screen is saved as a PNG.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { Browser, Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { defaultScenarioId } from '../../src/modules/outreach/conversations.fixture.ts';
import { buildFunnelWorld, type FunnelWorld, PERIOD } from '../../src/modules/outreach/funnel.fixture.ts';
import { refOf } from '../../src/modules/referrals/dossiers.routes.ts';
import { chromiumPath, focused, type Haven, hidden, launchBrowser, newTab, seriousViolations, signIn, startHaven, type Tab, visible } from './harness.ts';

interface Line {
  line: string;
  kind: string | null;
  count: number;
}
interface FunnelJson {
  lines: Line[];
  reachByAttempt: { attemptNo: number; attempts: number; reached: number }[];
}

/** Until the dialog and everything around it are fully opaque (axe would measure a fading text). */
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

const SHOTS = process.env.HAVEN_E2E_SHOTS;
async function shot(page: Page, name: string, part?: Locator): Promise<void> {
  if (!SHOTS) return;
  if (part) return void (await part.screenshot({ path: path.join(SHOTS, `${name}.png`) }));
  // From the top: the header is fixed, and would be drawn where the page was scrolled to.
  await page.evaluate(() => window.scrollTo(0, 0));
  await page.screenshot({ path: path.join(SHOTS, `${name}.png`), fullPage: true });
}

describe.skipIf(!chromiumPath)('outreach, the coordinator’s screens', () => {
  let haven: Haven;
  let browser: Browser;
  let tab: Tab;
  let page: Page;
  let world: FunnelWorld;

  beforeAll(async () => {
    [haven, browser] = await Promise.all([startHaven({ demo: true }), launchBrowser()]);
    const db = haven.runtime.database.db;
    const programme = await db.selectFrom('programmes').select(['id', 'project_id']).where('slug', '=', 'hoe-gaat-het-outreach').executeTakeFirstOrThrow();
    world = await buildFunnelWorld(db, haven.runtime.keys, { programmeId: programme.id, projectId: programme.project_id });
    // The fixture's conversations use a scenario of its own; here they keep the shipped guide,
    // which the programme then uses until it publishes a version of its own.
    const own = await db.selectFrom('scenarios').select('id').where('programme_id', '=', programme.id).executeTakeFirstOrThrow();
    await db
      .updateTable('conversations')
      .set({ scenario_id: await defaultScenarioId(db) })
      .where('scenario_id', '=', own.id)
      .execute();
    await db.deleteFrom('scenarios').where('id', '=', own.id).execute();
    // The analyst has no saved language: Haven follows the browser (English). The coordinator keeps Dutch.
    await db.updateTable('users').set({ locale: null }).where('email', '=', 'analyst@demo.haven.test').execute();
    tab = await newTab(browser);
    page = tab.page;
  });
  afterAll(async () => {
    await browser?.close();
    await haven?.close();
  });

  test('coordinator: funnel, escalations, services, scenario, assignment, attempt rule', async () => {
    await signIn(page, haven.url, haven.demo.coordinator!);
    const nav = page.locator('#main-navigation');
    const links = await nav.getByRole('link').allTextContents();
    for (const l of ['Trechter', 'Toewijzing', 'Gespreksscenario', 'Dienstenoverzicht', 'Regel voor pogingen']) expect(links).toContain(l);
    // The open escalations are counted beside the link, in words for a screen reader.
    const openEscalations = async () =>
      ((await (await page.request.get(`${haven.url}/api/programmes/${world.programmeId}/escalations?state=open`)).json()) as { open: number }).open;
    const open = await openEscalations();
    expect(open).toBeGreaterThanOrEqual(2);
    await visible(nav.getByRole('link', { name: `Escalaties ${open} open` }));

    // ---- The funnel ------------------------------------------------------------------------
    await nav.getByRole('link', { name: 'Trechter' }).click();
    await visible(page.getByRole('heading', { level: 1, name: 'Trechter van de outreach' }));
    await page.waitForURL(/[?&]programme=[0-9a-f-]{36}/);
    const programmeId = new URL(page.url()).searchParams.get('programme') as string;
    expect(programmeId).toBe(world.programmeId);
    // Default: this year.
    const year = new Intl.DateTimeFormat('en-GB', { timeZone: 'Europe/Brussels', year: 'numeric' }).format(new Date());
    expect(await page.locator('input[name="from"]').inputValue()).toBe(`01/01/${year}`);
    await page.locator('input[name="from"]').fill('01/01/2025');
    await page.locator('input[name="to"]').fill('31/03/2025');
    await visible(page.getByText('Contacten ontvangen van 01/01/2025 tot 31/03/2025 · Alle gemeenten'));
    const api = async (query: string) => (await (await page.request.get(`${haven.url}/api/programmes/${programmeId}/funnel?${query}`)).json()) as FunnelJson;
    const expected = await api(`from=${PERIOD.from}&to=${PERIOD.to}`);
    const table = page.getByTestId('funnel-table');
    const cell = (l: Line) => table.getByTestId(`count-${l.line}${l.kind ? `-${l.kind}` : ''}`);
    for (const l of expected.lines) {
      // Kinds nobody was referred to are left out of the table; every other line is shown.
      if (l.line === 'referred_kind' && l.count === 0) continue;
      expect((await cell(l).textContent())?.trim(), `${l.line} ${l.kind ?? ''}`).toBe(String(l.count));
    }
    const count = (line: string) => expected.lines.find((l) => l.line === line)?.count ?? -1;
    expect(count('received')).toBe(19);
    // The groups add up, visibly.
    expect(await table.getByTestId('sum-received').textContent()).toBe(`= ${count('received')}`);
    expect(await table.getByTestId('sum-reached').textContent()).toBe(`= ${count('reached')}`);
    expect(await table.locator('[data-sum="received"]').textContent()).toContain(
      ['not_informed', 'unreachable', 'reached', 'closed_other', 'open'].map(count).join(' + '),
    );
    await visible(table.locator('tr[data-line="open"]').getByText('Nog lopend'));
    await visible(table.locator('tr[data-line="escalated"]').getByText('Dwars door de regels hierboven', { exact: false }));
    for (const r of expected.reachByAttempt) {
      expect(await page.getByTestId('reach-by-attempt').locator(`tr[data-attempt="${r.attemptNo}"] td`).first().textContent()).toBe(String(r.attempts));
    }
    const chart = page.getByRole('img', { name: 'Staafdiagram van de trechter van de outreach' });
    await visible(chart);
    expect(await seriousViolations(page), 'funnel').toEqual([]);
    await shot(page, 'funnel');

    // A number traced to its contacts, each with its dossier.
    await table.getByRole('link', { name: `${count('reached')}: de contacten achter “Bereikt” tonen` }).click();
    const drill = page.getByTestId('drill-down');
    await visible(drill.getByRole('heading', { name: 'Contacten achter “Bereikt”' }));
    expect(await focused(page)).toContain('Contacten achter “Bereikt”');
    await page.waitForFunction((n) => document.querySelectorAll('[data-testid="drill-down"] tbody tr[data-contact]').length === n, count('reached'));
    expect(await drill.locator('tbody tr').first().locator('th').textContent()).toMatch(/^C-[0-9A-F]{6}$/);
    expect(await seriousViolations(page), 'funnel with its contacts').toEqual([]);
    await shot(page, 'funnel-drill');

    // One municipality: As.
    await page.locator('select[name="nisCode"]').selectOption({ label: 'As' });
    await visible(page.getByText('Contacten ontvangen van 01/01/2025 tot 31/03/2025 · As'));
    const inAs = await api(`from=${PERIOD.from}&to=${PERIOD.to}&nisCode=71002`);
    expect((await cell({ line: 'received', kind: null, count: 0 }).textContent())?.trim()).toBe(String(inAs.lines[0]?.count));

    // The CSV, with the same filters, in Dutch.
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('download-csv').click()]);
    expect(download.suggestedFilename()).toBe('funnel-hoe-gaat-het-outreach-2025-01-01-2025-03-31-71002.csv');
    const csv = await readFile((await download.path()) as string, 'utf8');
    expect(csv).toContain('Contactgegevens ontvangen');
    expect(csv).toContain('As (71002)');

    // ---- Escalations ------------------------------------------------------------------------
    await nav.getByRole('link', { name: /^Escalaties/ }).click();
    await visible(page.getByRole('heading', { level: 1, name: 'Escalaties' }));
    await visible(page.getByText(`Open escalaties: ${open}`));
    // The seeded escalation of a contact with a conversation held (ch5): open, among the first.
    const ref = refOf('C', world.contacts.ch5);
    const first = page.getByTestId('escalations').locator(`tbody tr[data-escalation="${ref}"][data-state="open"]`);
    await visible(first);
    expect(await first.textContent()).toContain('Vandaag');
    expect(await first.textContent()).toContain('Veilig Huis');
    expect(await first.textContent()).toContain('Inschatting van de beller');
    expect(await first.getByRole('link', { name: /^Dossier D-[0-9A-F]{6}$/ }).getAttribute('href')).toMatch(
      /^\/referrals\/dossiers\/[0-9a-f-]{36}\?programme=/,
    );
    expect(await seriousViolations(page), 'escalations').toEqual([]);
    await shot(page, 'escalations');
    // The caller's note, read on request: the read is audited.
    await first.getByRole('button', { name: `Notitie lezen (${ref})` }).click();
    const note = page.getByRole('dialog', { name: `De notitie van de beller over ${ref}` });
    await visible(note);
    await note.getByRole('button', { name: 'Notitie tonen' }).click();
    await visible(note.getByTestId('escalation-note').getByText(/^Worried about Funnel/));
    await opaque(note);
    expect(await seriousViolations(page), 'escalation note').toEqual([]);
    const reads = await haven.runtime.database.db.selectFrom('audit_events').select('record_id').where('action', '=', 'escalation.read').execute();
    expect(reads).toHaveLength(1);
    await note.getByRole('button', { name: 'Sluiten en verbergen' }).click();
    await hidden(note);
    await first.getByRole('button', { name: `De escalatie van ${ref} afhandelen` }).click();
    const confirm = page.getByRole('dialog', { name: `De escalatie van ${ref} afhandelen?` });
    await visible(confirm);
    await opaque(confirm);
    expect(await seriousViolations(page), 'acknowledge dialog').toEqual([]);
    await confirm.getByRole('button', { name: 'Afhandelen' }).click();
    await hidden(confirm);
    await visible(page.getByRole('status').filter({ hasText: `De escalatie van ${ref} is afgehandeld.` }));
    await visible(page.getByText(`Open escalaties: ${open - 1}`));
    await visible(page.locator(`tr[data-escalation="${ref}"][data-state="acknowledged"]`).getByText(/^Afgehandeld op \d{2}\/\d{2}\/\d{4} \d{2}:\d{2}$/));
    await visible(nav.getByRole('link', { name: `Escalaties ${open - 1} open` }));
    expect(await openEscalations()).toBe(open - 1);

    // ---- Services ---------------------------------------------------------------------------
    await nav.getByRole('link', { name: 'Dienstenoverzicht' }).click();
    await visible(page.getByRole('heading', { level: 1, name: 'Dienstenoverzicht' }));
    const services = page.getByTestId('services');
    await visible(services.locator('tbody tr[data-service]'));
    const servicesTotal = async () =>
      ((await (await page.request.get(`${haven.url}/api/programmes/${world.programmeId}/services?pageSize=1`)).json()) as { total: number }).total;
    const before = await servicesTotal();
    expect(await seriousViolations(page), 'services').toEqual([]);
    await page.getByRole('button', { name: 'Nieuwe dienst' }).click();
    const form = page.getByRole('dialog', { name: 'Nieuwe dienst' });
    await visible(form);
    await form.getByRole('button', { name: 'Dienst toevoegen' }).click();
    await visible(form.locator('input[name="name"][aria-invalid="true"]'));
    await visible(form.locator('select[name="kind"][aria-invalid="true"]'));
    await form.locator('input[name="name"]').fill('Onthaal CAW Genk');
    await form.locator('select[name="kind"]').selectOption('caw');
    await form.locator('input[name="phone"]').fill('12');
    await form.getByRole('button', { name: 'Dienst toevoegen' }).click();
    await visible(form.locator('input[name="phone"][aria-invalid="true"]'));
    expect(await form.locator('input[name="name"]').getAttribute('aria-invalid')).not.toBe('true');
    await opaque(form);
    expect(await seriousViolations(page), 'service form with an error').toEqual([]);
    await shot(page, 'service-form');
    await form.locator('input[name="phone"]').fill('089 12 34 56');
    await form.getByRole('checkbox', { name: 'Genk' }).check();
    await form.getByRole('checkbox', { name: 'Turks' }).check();
    await form.getByRole('button', { name: 'Dienst toevoegen' }).click();
    await hidden(form);
    await visible(page.getByRole('status').filter({ hasText: 'Onthaal CAW Genk is toegevoegd aan het overzicht.' }));
    const added = services.locator('tr[data-service="Onthaal CAW Genk"]');
    await visible(added);
    expect(await added.textContent()).toContain('Genk');
    expect(await added.textContent()).toContain('Turks');
    expect(await servicesTotal()).toBe(before + 1);
    await shot(page, 'services');

    // ---- The scenario -----------------------------------------------------------------------
    await nav.getByRole('link', { name: 'Gespreksscenario' }).click();
    await visible(page.getByRole('heading', { level: 1, name: 'Gespreksscenario' }));
    await visible(page.getByText('Hoe gaat het met u? · Versie 1 van de leidraad van Haven'));
    // The draft is the programme's next version.
    const chain = (await (await page.request.get(`${haven.url}/api/programmes/${programmeId}/scenarios`)).json()) as {
      versions: { version: number; isDefault: boolean }[];
    };
    const next = Math.max(0, ...chain.versions.filter((v) => !v.isDefault).map((v) => v.version)) + 1;
    expect(await seriousViolations(page), 'scenario').toEqual([]);
    await page.getByRole('button', { name: 'Nieuw ontwerp op basis van deze versie' }).click();
    await visible(page.getByRole('heading', { level: 1, name: `Ontwerp van versie ${next}` }));
    await visible(page.getByRole('status').filter({ hasText: `Ontwerp van versie ${next} gestart` }));
    // Question 2 moved up with the keyboard: focus stays on it, the move is said.
    const questions = page.locator('[data-section="wellbeing"] li[data-question]');
    expect(await questions.first().getAttribute('data-question')).toBe('how-are-you');
    await page.getByRole('button', { name: 'Vraag 2 naar boven' }).focus();
    await page.keyboard.press('Enter');
    await page.waitForFunction(() => document.querySelector('[data-section="wellbeing"] li[data-question]')?.getAttribute('data-question') === 'can-talk');
    expect(await focused(page)).toContain('Vraag 1 naar beneden');
    await visible(page.getByText('Vraag 2 staat nu op plaats 1 van 3.'));
    // Unfold the question now first, empty its French wording: refused at that field.
    const canTalk = page.locator('li[data-question="can-talk"]');
    await canTalk.getByRole('button', { name: /^1\. Is dit een goed moment/ }).click();
    await canTalk.locator('textarea[name$=".text.fr"]').fill('');
    await canTalk.locator('textarea[name$=".text.nl"]').fill('Is dit een goed moment om te praten, zonder dat iemand meeluistert?');
    await page.getByRole('button', { name: 'Ontwerp opslaan' }).first().click();
    await visible(canTalk.locator('textarea[name$=".text.fr"][aria-invalid="true"]'));
    expect(await canTalk.locator('textarea[name$=".text.nl"]').getAttribute('aria-invalid')).not.toBe('true');
    expect(await seriousViolations(page), 'scenario editor with an error').toEqual([]);
    await shot(page, 'scenario-editor');
    await shot(page, 'scenario-question', canTalk);
    await canTalk.locator('textarea[name$=".text.fr"]').fill('Est-ce un bon moment pour parler, sans que quelqu’un écoute ?');
    // A new question at the end: a scale whose worst answer escalates.
    await page.getByRole('button', { name: 'Vraag toevoegen aan Deel 6' }).click();
    expect(await focused(page)).toContain('21.');
    const asked = page.locator('li[data-question="question-1"]');
    await asked.locator('select[name$=".type"]').selectOption('scale');
    await asked.locator('textarea[name$=".text.nl"]').fill('Hoe veilig voelt u zich na dit gesprek?');
    await asked.locator('textarea[name$=".text.fr"]').fill('Vous sentez-vous en sécurité après cet entretien ?');
    await asked.locator('textarea[name$=".text.en"]').fill('How safe do you feel after this conversation?');
    await asked.getByRole('checkbox', { name: '1', exact: true }).check();
    await asked.locator('select[name$=".escalationReason"]').selectOption('fear_for_life');
    await page.getByRole('button', { name: 'Ontwerp opslaan' }).first().click();
    await visible(page.getByRole('status').filter({ hasText: `Het ontwerp van versie ${next} is opgeslagen.` }));
    await page.getByRole('tab', { name: 'Voorbeeld' }).click();
    await visible(page.getByTestId('scenario-preview').getByText('Is dit een goed moment om te praten, zonder dat iemand meeluistert?'));
    expect(await seriousViolations(page), 'scenario preview').toEqual([]);
    await shot(page, 'scenario-preview');
    await page.getByRole('button', { name: 'Publiceren…' }).first().click();
    const publish = page.getByRole('dialog', { name: `Versie ${next} publiceren?` });
    await visible(publish);
    await publish.getByRole('button', { name: 'Publiceren' }).click();
    await visible(page.getByRole('status').filter({ hasText: `Versie ${next} is gepubliceerd` }));
    await visible(page.getByText(`Hoe gaat het met u? · Versie ${next}`, { exact: true }));
    const versions = page.getByTestId('scenario-versions');
    await visible(versions.locator(`tr[data-version="${next}"][data-status="published"]:not([data-default])`));
    expect(await seriousViolations(page), 'scenario after publishing').toEqual([]);
    await shot(page, 'scenarios');
    // New conversations use it: the API says so.
    const current = (await (await page.request.get(`${haven.url}/api/programmes/${programmeId}/scenarios`)).json()) as {
      current: { isDefault: boolean; definition: { sections: { questions: Record<string, unknown>[] }[] } };
    };
    expect(current.current.isDefault).toBe(false);
    expect(current.current.definition.sections[0]?.questions[0]?.id).toBe('can-talk');
    expect(current.current.definition.sections.at(-1)?.questions.at(-1)).toMatchObject({
      id: 'question-1',
      type: 'scale',
      counted: true,
      escalatesOn: [1],
      escalationReason: 'fear_for_life',
    });

    // ---- Assignment -------------------------------------------------------------------------
    await nav.getByRole('link', { name: 'Toewijzing' }).click();
    await visible(page.getByRole('heading', { level: 1, name: 'Toewijzing' }));
    const holders = page.getByTestId('holders');
    await visible(holders.locator('tr[data-holder="Karim Beller"]'));
    const held = Number(await holders.locator('tr[data-holder="Karim Beller"] [data-testid="assigned"]').textContent());
    await page.locator('select[name="holder"]').selectOption('unassigned');
    const list = page.getByTestId('assign-list');
    await visible(list.locator('tbody tr[data-contact]'));
    const refs = await list.locator('tbody tr[data-contact]').evaluateAll((rs) => rs.slice(0, 2).map((r) => r.getAttribute('data-contact') as string));
    expect(refs).toHaveLength(2);
    // Ticked with the keyboard.
    for (const r of refs) {
      await list.getByRole('checkbox', { name: `${r} aanvinken` }).focus();
      await page.keyboard.press('Space');
    }
    await visible(page.getByText('Aangevinkt: 2'));
    await page.locator('select[name="callerId"]').selectOption({ label: 'Karim Beller (Beller)' });
    expect(await seriousViolations(page), 'assignment with two ticked').toEqual([]);
    await shot(page, 'assign');
    await page.getByRole('button', { name: 'Toewijzen', exact: true }).click();
    await visible(page.getByRole('status').filter({ hasText: 'Contacten toegewezen aan Karim Beller: 2.' }));
    await page.waitForFunction((n) => document.querySelector('tr[data-holder="Karim Beller"] [data-testid="assigned"]')?.textContent === String(n), held + 2);
    await page.locator('select[name="holder"]').selectOption({ label: 'Karim Beller' });
    await page.waitForFunction(() => {
      const cells = [...document.querySelectorAll('[data-testid="assign-list"] tbody [data-testid="assigned-to"]')];
      return cells.length > 0 && cells.every((c) => c.textContent === 'Karim Beller');
    });
    const karim = await haven.runtime.database.db
      .selectFrom('contacts as c')
      .innerJoin('users as u', 'u.id', 'c.assigned_to')
      .select('c.id')
      .where('u.email', '=', 'caller@demo.haven.test')
      .execute();
    expect(karim.map((c) => refOf('C', c.id))).toEqual(expect.arrayContaining(refs));

    // ---- The attempt rule -------------------------------------------------------------------
    await nav.getByRole('link', { name: 'Regel voor pogingen' }).click();
    await visible(page.getByRole('heading', { level: 1, name: 'Regel voor pogingen' }));
    expect(await page.locator('input[name="maxAttempts"]').inputValue()).toBe('3');
    await page.locator('input[name="leaseMinutes"]').fill('2');
    await page.getByRole('button', { name: 'Regel opslaan' }).click();
    await visible(page.locator('input[name="leaseMinutes"][aria-invalid="true"]'));
    expect(await seriousViolations(page), 'attempt rule with an error').toEqual([]);
    await page.locator('input[name="leaseMinutes"]').fill('30');
    await page.locator('input[name="maxAttempts"]').fill('4');
    await page.getByRole('button', { name: 'Regel opslaan' }).click();
    await visible(page.getByRole('status').filter({ hasText: 'De regel voor pogingen is opgeslagen.' }));
    await shot(page, 'settings');
    const settings = (await (await page.request.get(`${haven.url}/api/programmes/${programmeId}/outreach/settings`)).json()) as { maxAttempts: number };
    expect(settings.maxAttempts).toBe(4);
    expect(tab.errors, 'console errors or CSP violations').toEqual([]);
  });

  test('analyst: the funnel, counts only, and nothing else of the outreach', async () => {
    await tab.context.close();
    tab = await newTab(browser);
    page = tab.page;
    await signIn(page, haven.url, haven.demo.analyst!);
    const links = await page.locator('#main-navigation').getByRole('link').allTextContents();
    expect(links).toEqual(['Home', 'Funnel', 'My profile']);
    await page.locator('#main-navigation').getByRole('link', { name: 'Funnel' }).click();
    await visible(page.getByRole('heading', { level: 1, name: 'Outreach funnel' }));
    await page.locator('input[name="from"]').fill('01/01/2025');
    await page.locator('input[name="to"]').fill('31/03/2025');
    await visible(page.getByText('Contacts received from 01/01/2025 to 31/03/2025 · All municipalities'));
    const table = page.getByTestId('funnel-table');
    expect(await table.getByTestId('count-received').textContent()).toBe('19');
    // Figures, never the contacts behind them.
    expect(await table.getByRole('link').count()).toBe(0);
    // The municipalities of the project, though the analyst may not read the project.
    await page.locator('select[name="nisCode"]').selectOption({ label: 'Genk' });
    await visible(page.getByText('Contacts received from 01/01/2025 to 31/03/2025 · Genk'));
    expect(await seriousViolations(page), 'funnel, analyst').toEqual([]);
    await shot(page, 'funnel-analyst');
    for (const p of ['escalations', 'services', 'scenarios', 'assign', 'settings']) {
      await page.goto(`${haven.url}/outreach/${p}`);
      await visible(page.getByRole('heading', { level: 1, name: 'Not allowed' }));
    }
    const drill = await page.request.get(`${haven.url}/api/programmes/${world.programmeId}/funnel/contacts?line=received&from=2025-01-01&to=2025-03-31`);
    expect(drill.status()).toBe(403);
    expect(tab.errors, 'console errors or CSP violations').toEqual([]);
  });
});
