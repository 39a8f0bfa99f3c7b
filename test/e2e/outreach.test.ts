/**
 * The caller's afternoon, in Dutch and with the keyboard only (Tab, Shift+Tab, Enter, Space, the
 * arrows and the screens' own shortcuts; never a click): the demo's caller Karim signs in, filters
 * the worklist, claims the next contact (N), reads the safe-contact card, records safety
 * information, records a failed attempt, sees the attempt rule refuse a second one the same day,
 * records "someone else answered" on another day, reaches the person on a third day, holds the
 * conversation with the default scenario, refers the person to a CAW, plans and cancels a
 * follow-up call, and closes the contact; the coordinator's funnel API counts it. A second
 * journey: a marked answer escalates at once, the caller escalates by judgment too, and the
 * contact leaves the green flow. Every screen is scanned with axe.
 *
 * The attempt rule allows one phone attempt per Brussels day, each in another part of the day.
 * The journey cannot wait days, so between two attempts the test moves the attempt just recorded
 * back in the database, to an earlier day and to a part of the day not used yet (setting its
 * `at`, `local_day` and `part_of_day` as the attempts route would have, and the contact's
 * `next_due_at` to a moment past, as the rule's proposal would be by then). The contact, its
 * identity, the safety answer "the other party lives at the same address" and the services of the
 * directory are seeded in the database too: the demo has no outreach history of its own yet.
 * With HAVEN_E2E_SHOTS=<folder> each screen is saved as a PNG.
 */
import path from 'node:path';
import { type APIRequestContext, type Browser, type Page, request } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { DemoCredential } from '../../src/cli/demo.ts';
import { addDays, brusselsTime, localDay, partOfDay } from '../../src/modules/outreach/rules.ts';
import type { PartOfDay } from '../../src/modules/outreach/schema.ts';
import { seedAttempt, seedWorkContact } from '../../src/modules/outreach/worklist.fixture.ts';
import { refOf } from '../../src/modules/referrals/dossiers.routes.ts';
import {
  chromiumPath,
  focused,
  focusRingVisible,
  freshTotp,
  type Haven,
  hidden,
  launchBrowser,
  newTab,
  seriousViolations,
  startHaven,
  type Tab,
  tabTo,
  visible,
} from './harness.ts';

const SHOTS = process.env.HAVEN_E2E_SHOTS;
async function shot(page: Page, name: string): Promise<void> {
  if (SHOTS) await page.screenshot({ path: path.join(SHOTS, `caller-${name}.png`), fullPage: true });
}

const HOUR: Record<PartOfDay, number> = { morning: 9, afternoon: 14, evening: 19 };
const PARTS: PartOfDay[] = ['morning', 'afternoon', 'evening'];
const DMY = (iso: string) => iso.split('-').reverse().join('/');

/** Sign in with the keyboard: e-mail, Tab, password, Enter; the code, Enter. */
async function signInByKeyboard(page: Page, url: string, cred: DemoCredential): Promise<void> {
  await page.goto(`${url}/login`);
  await tabTo(page, '[name=email]');
  await page.keyboard.type(cred.email);
  await page.keyboard.press('Tab');
  await page.keyboard.type(cred.password);
  await page.keyboard.press('Enter');
  await page.locator('input[name="code"]').waitFor();
  await tabTo(page, '[name=code]');
  await page.keyboard.type(await freshTotp(cred.totpSecret));
  await page.keyboard.press('Enter');
  await page.locator('#main-navigation').waitFor();
}

/** A signed-in API session of a demo user (the coordinator's funnel). */
async function apiSession(url: string, cred: DemoCredential): Promise<APIRequestContext> {
  const api = await request.newContext({ baseURL: url });
  expect((await api.post('/api/auth/login', { data: { email: cred.email, password: cred.password } })).status()).toBe(200);
  const csrf = ((await (await api.get('/api/session')).json()) as { csrfToken: string }).csrfToken;
  const mfa = await api.post('/api/auth/mfa', { data: { code: await freshTotp(cred.totpSecret) }, headers: { 'x-csrf-token': csrf } });
  expect(mfa.status()).toBe(200);
  return api;
}

interface FunnelLine {
  line: string;
  kind: string | null;
  count: number;
}

describe.skipIf(!chromiumPath)('outreach, the caller’s screens', () => {
  let haven: Haven;
  let browser: Browser;
  let tab: Tab;
  let page: Page;
  let programmeId: string;
  let callerId: string;
  let contactId: string;
  let ref: string;
  let coordinator: APIRequestContext;
  const today = localDay(new Date());

  const db = () => haven.runtime.database.db;

  /** The funnel of today's contacts, as the coordinator's API counts it. */
  async function funnel(): Promise<Map<string, number>> {
    const r = await coordinator.get(`/api/programmes/${programmeId}/funnel?from=${today}&to=${today}`);
    expect(r.status()).toBe(200);
    const lines = ((await r.json()) as { lines: FunnelLine[] }).lines;
    return new Map(lines.map((l) => [`${l.line}${l.kind ? `:${l.kind}` : ''}`, l.count]));
  }

  /**
   * The attempt just recorded (the latest of the contact) moved `days` back, into `part`; the contact
   * due again now. What the days in between would have done.
   */
  async function moveLastAttempt(days: number, part: PartOfDay): Promise<void> {
    const last = await db().selectFrom('attempts').select(['id']).where('contact_id', '=', contactId).orderBy('attempt_no', 'desc').executeTakeFirstOrThrow();
    const at = brusselsTime(addDays(today, -days), HOUR[part]);
    expect(partOfDay(at)).toBe(part);
    await db()
      .updateTable('attempts')
      .set({ at, local_day: localDay(at), part_of_day: part })
      .where('id', '=', last.id)
      .execute();
    await db()
      .updateTable('contacts')
      .set({ next_due_at: new Date(Date.now() - 60_000), last_attempt_at: at })
      .where('id', '=', contactId)
      .execute();
  }

  beforeAll(async () => {
    [haven, browser] = await Promise.all([startHaven({ demo: true }), launchBrowser()]);
    const programme = await db().selectFrom('programmes').select(['id', 'project_id']).where('slug', '=', 'hoe-gaat-het-outreach').executeTakeFirstOrThrow();
    programmeId = programme.id;
    callerId = (await db().selectFrom('users').select('id').where('email', '=', 'caller@demo.haven.test').executeTakeFirstOrThrow()).id;
    // Sara Janssens, of Zutendaal, speaks Dutch; the other party of the dossier lives with her.
    contactId = await seedWorkContact(
      db(),
      haven.runtime.keys,
      { programmeId, nisCode: '71067', municipality: 'Zutendaal', factsOn: '2000-01-03' },
      { identity: { firstName: 'Sara', lastName: 'Janssens', mobile: '+32 470 12 34 56' }, language: 'nl', assignedTo: callerId },
    );
    ref = refOf('C', contactId);
    await db().insertInto('contact_safety').values({ contact_id: contactId, other_party_same_address: true }).execute();
    // The directory: a CAW serving Zutendaal in Dutch; a GP in Genk only, not offered by default.
    await db()
      .insertInto('services')
      .values([
        {
          project_id: programme.project_id,
          name: 'CAW Limburg, onthaal Zutendaal',
          kind: 'caw',
          nis_codes: ['71067'],
          languages: ['nl'],
          phone: '089 12 34 56',
        },
        { project_id: programme.project_id, name: 'Huisartsenpraktijk Genk-Centrum', kind: 'gp', nis_codes: ['71016'], languages: ['nl'] },
      ])
      .execute();
    coordinator = await apiSession(haven.url, haven.demo.coordinator as DemoCredential);
    tab = await newTab(browser);
    page = tab.page;
  });
  afterAll(async () => {
    await coordinator?.dispose();
    await browser?.close();
    await haven?.close();
  });

  test('caller: claim, safe contact, two failed attempts, reached, conversation, referral to a CAW, closed; the funnel counts it', async () => {
    const before = await funnel();
    const now = partOfDay(new Date());
    // Three parts of the day, one per attempt: the third (reached) is now.
    const [first, second] = PARTS.filter((p) => p !== now) as [PartOfDay, PartOfDay];

    await signInByKeyboard(page, haven.url, haven.demo.caller as DemoCredential);
    await tabTo(page, 'Mijn werklijst');
    await page.keyboard.press('Enter');
    await visible(page.getByRole('heading', { level: 1, name: 'Mijn werklijst' }));
    await page.waitForURL(/[?&]programme=[0-9a-f-]{36}/);
    expect(new URL(page.url()).searchParams.get('programme')).toBe(programmeId);
    const row = page.locator(`tr[data-contact="${ref}"]`);
    await visible(row);
    expect(await row.getAttribute('data-state')).toBe('new');
    expect(await row.textContent()).toContain('Zutendaal');
    expect(await row.textContent()).toContain('Aan u toegewezen');
    // No names in the list.
    expect(await page.getByTestId('worklist').textContent()).not.toContain('Janssens');
    expect(await seriousViolations(page), 'worklist').toEqual([]);
    await shot(page, 'worklist');

    // The keyboard help, with ?.
    await page.keyboard.press('?');
    const help = page.getByRole('dialog', { name: 'Sneltoetsen' });
    await visible(help);
    await visible(help.getByText('Het volgende contact nemen en de kaart openen'));
    expect(await seriousViolations(page), 'keyboard help').toEqual([]);
    await page.keyboard.press('Escape');
    await hidden(help);

    // Only Zutendaal, then the big button (Enter on it).
    await tabTo(page, '[name=nisCode]');
    await page.keyboard.type('Zut');
    await page.waitForURL(/[?&]nisCode=71067/);
    await tabTo(page, 'Volgend contact');
    expect(await focusRingVisible(page)).toBe(true);
    await page.keyboard.press('Enter');

    // ---- The card, before dialling --------------------------------------------------------
    await visible(page.getByRole('heading', { level: 1, name: `Contact ${ref}` }));
    expect(await focused(page)).toContain(`Contact ${ref}`);
    await visible(page.getByTestId('same-address-warning').getByText('Vraag alleen naar Sara Janssens.', { exact: false }));
    expect(await page.getByTestId('ask-for').locator('dd').textContent()).toBe('Sara Janssens');
    expect(await page.getByTestId('language').locator('dd').textContent()).toBe('Nederlands');
    expect(await page.getByRole('link', { name: 'Gsm: +32 470 12 34 56' }).getAttribute('href')).toBe('tel:+32470123456');
    expect(await page.getByTestId('voicemail').locator('dd').textContent()).toBe('Nooit een voicemail inspreken. (regel van het programma)');
    expect(await page.getByTestId('same-address').locator('dd').textContent()).toBe('Ja');
    expect(await page.getByTestId('rule-state').textContent()).toContain('Telefonische pogingen tot nu: 0 van hoogstens 3. Nog mogelijk: 3.');
    await visible(page.getByTestId('lease').getByText(/^Door u genomen tot \d{2}:\d{2}/));
    expect(await page.getByTestId('someone-else-notice').count()).toBe(0);
    expect(await seriousViolations(page), 'card').toEqual([]);
    await shot(page, 'card');

    // Safety information: the afternoon is safe, and when.
    await tabTo(page, 'Veiligheidsinformatie wijzigen');
    await page.keyboard.press('Enter');
    const safety = page.getByRole('dialog', { name: `Veiligheidsinformatie van ${ref}` });
    await visible(safety);
    await tabTo(page, 'Namiddag (12:00–17:59)');
    await page.keyboard.press('Space');
    await tabTo(page, '[name=safeHours]');
    await page.keyboard.type('Op weekdagen na 14:00, als de kinderen op school zijn');
    expect(await seriousViolations(page), 'safety dialog').toEqual([]);
    await shot(page, 'safety');
    await page.keyboard.press('Enter');
    await hidden(safety);
    await visible(page.getByRole('status').filter({ hasText: 'Veiligheidsinformatie bewaard.' }));
    expect(await page.getByTestId('safe-parts').locator('dd').textContent()).toBe('Namiddag (12:00–17:59)');
    expect(await page.getByTestId('safe-hours').locator('dd').textContent()).toBe('Op weekdagen na 14:00, als de kinderen op school zijn');
    expect(await focused(page)).toContain('Veiligheidsinformatie wijzigen');

    // ---- Attempt 1: no answer (key 1), with a note ------------------------------------------
    await page.keyboard.press('1');
    expect(await focused(page)).toContain('Geen antwoord');
    expect(await page.locator('input[name="outcome"][value="no_answer"]').isChecked()).toBe(true);
    await tabTo(page, '[name=note]');
    await page.keyboard.type('Geen antwoord, niets ingesproken.');
    await tabTo(page, 'Poging registreren');
    await page.keyboard.press('Enter');
    // Back to the worklist, with what happened and when to try next.
    await visible(page.getByRole('heading', { level: 1, name: 'Mijn werklijst' }));
    await visible(page.getByRole('status').filter({ hasText: `Poging 1 bij ${ref} geregistreerd: Geen antwoord. Volgende poging voorgesteld:` }));
    expect(new URL(page.url()).searchParams.get('nisCode')).toBe('71067');
    expect(await page.locator(`tr[data-contact="${ref}"]`).getAttribute('data-state')).toBe('not_due');
    expect(await seriousViolations(page), 'worklist after an attempt').toEqual([]);
    await shot(page, 'worklist-after-attempt');

    // The same day again: the card warns, and the rule refuses at the time field, in words.
    await tabTo(page, `De kaart van ${ref} openen`);
    await page.keyboard.press('Enter');
    await visible(page.getByRole('heading', { level: 1, name: `Contact ${ref}` }));
    await visible(page.getByTestId('call-now').getByText('Er was vandaag al een poging: de volgende moet op een andere dag.'));
    await visible(page.getByTestId('attempts').locator('tr[data-attempt="1"]').getByText('Geen antwoord, niets ingesproken.'));
    await page.keyboard.press('4');
    await tabTo(page, 'Poging registreren');
    await page.keyboard.press('Enter');
    const at = page.locator('input[name="at"][aria-invalid="true"]');
    await visible(at);
    expect(await focused(page)).toContain('[name=at]');
    await visible(page.getByText('Er was vandaag al een poging: de volgende moet op een andere dag.').nth(1));
    expect(await seriousViolations(page), 'card, attempt refused by the rule').toEqual([]);
    await shot(page, 'card-rule-refused');

    // Two days later, in another part of the day: due again; N claims it.
    await moveLastAttempt(2, first);
    await tabTo(page, 'Terug naar mijn werklijst', 80);
    await page.keyboard.press('Enter');
    await visible(page.getByRole('heading', { level: 1, name: 'Mijn werklijst' }));
    await visible(page.locator(`tr[data-contact="${ref}"][data-state="in_progress"]`));
    await page.keyboard.press('n');
    await visible(page.getByRole('heading', { level: 1, name: `Contact ${ref}` }));

    // ---- Attempt 2: someone else answered (key 7) -------------------------------------------
    await page.keyboard.press('7');
    const endCall = page.getByTestId('end-call');
    await visible(endCall.getByText('Zeg niet wie u bent of waarom u belt.', { exact: false }));
    expect(await seriousViolations(page), 'card, someone else answered').toEqual([]);
    await shot(page, 'card-someone-else');
    await tabTo(page, 'Poging registreren');
    await page.keyboard.press('Enter');
    await visible(page.getByRole('status').filter({ hasText: `Poging 2 bij ${ref} geregistreerd: Iemand anders nam op.` }));

    // ---- Attempt 3, a day later: reached (key 8) --------------------------------------------
    await moveLastAttempt(1, second);
    await page.keyboard.press('n');
    await visible(page.getByRole('heading', { level: 1, name: `Contact ${ref}` }));
    // From now on the card says what to do if someone else answers.
    await visible(page.getByTestId('someone-else-notice').getByText('beëindig het gesprek zonder te zeggen wie u bent of waarom u belt', { exact: false }));
    expect(await page.getByTestId('rule-state').textContent()).toContain('Telefonische pogingen tot nu: 2 van hoogstens 3. Nog mogelijk: 1.');
    expect(await page.getByTestId('attempts').locator('tbody tr').count()).toBe(2);
    expect(await seriousViolations(page), 'card before the third attempt').toEqual([]);
    await shot(page, 'card-third');
    await page.keyboard.press('8');
    await tabTo(page, 'Poging registreren');
    await page.keyboard.press('Enter');

    // ---- The conversation ------------------------------------------------------------------
    await visible(page.getByRole('heading', { level: 1, name: `Gesprek met ${ref}` }));
    expect(await seriousViolations(page), 'conversation, before it starts').toEqual([]);
    await tabTo(page, 'Gesprek beginnen');
    await page.keyboard.press('Enter');
    const heading = page.locator('#section-heading');
    await visible(heading.getByText('Hoe gaat het?'));
    expect(await focused(page)).toContain('Hoe gaat het?');
    // How are you? 4 of 5, with the arrows.
    await tabTo(page, '[name=answers.how-are-you]');
    for (let i = 0; i < 3; i++) await page.keyboard.press('ArrowRight');
    expect(await page.locator('input[name="answers.how-are-you"][value="4"]').isChecked()).toBe(true);
    // Can you talk freely? Yes.
    await tabTo(page, '[name=answers.can-talk]');
    await page.keyboard.press('Space');
    await tabTo(page, '[name=answers.wellbeing-notes]');
    await page.keyboard.type('Het gaat beter, de spanning is wat gezakt.');
    await tabTo(page, 'Volgend deel');
    await visible(page.getByTestId('save-status').getByText(/^Bewaard om \d{2}:\d{2}\.$/));
    expect(await seriousViolations(page), 'conversation, first part').toEqual([]);
    await shot(page, 'conversation');
    await page.keyboard.press('Enter');
    await visible(heading.getByText('Sinds de politie-interventie'));
    expect(await focused(page)).toContain('Sinds de politie-interventie');
    await tabTo(page, '[name=answers.since-intervention]');
    await page.keyboard.press('Space');
    await tabTo(page, 'Volgend deel');
    await page.keyboard.press('Enter');
    // Safety now: 3 of 5; no threats, strangulation, weapons, nor fear for her life (marked: no escalation).
    await visible(heading.getByText('Veiligheid nu'));
    await tabTo(page, '[name=answers.feels-safe]');
    for (let i = 0; i < 2; i++) await page.keyboard.press('ArrowRight');
    for (const q of ['threats', 'strangulation', 'weapons', 'fear-for-life']) {
      await tabTo(page, `[name=answers.${q}]`);
      await page.keyboard.press('ArrowRight');
      expect(await page.locator(`input[name="answers.${q}"][value="no"]`).isChecked(), q).toBe(true);
    }
    expect(await seriousViolations(page), 'conversation, safety part').toEqual([]);
    await shot(page, 'conversation-safety');
    await tabTo(page, 'Volgend deel');
    await page.keyboard.press('Enter');
    await visible(heading.getByText('Kinderen'));
    await tabTo(page, 'Volgend deel');
    await page.keyboard.press('Enter');
    await tabTo(page, '[name=answers.what-would-help]');
    await page.keyboard.press('Space');
    await tabTo(page, 'Volgend deel');
    await page.keyboard.press('Enter');
    await visible(heading.getByText('Doorverwijzing'));
    await tabTo(page, '[name=answers.referral-wanted]');
    await page.keyboard.press('Space');
    await tabTo(page, 'Afronden: gesprek gevoerd');
    await page.keyboard.press('Enter');

    // ---- Referral, follow-up call, closing --------------------------------------------------
    await visible(page.getByRole('heading', { level: 1, name: `Doorverwijzing en afsluiten: ${ref}` }));
    // Saved as she answered: structured answers as such, free text only sealed.
    const conversation = await db().selectFrom('conversations').selectAll().where('contact_id', '=', contactId).executeTakeFirstOrThrow();
    expect(conversation.status).toBe('held');
    expect(conversation.answers).toMatchObject({
      'how-are-you': 4,
      'can-talk': true,
      'feels-safe': 3,
      threats: false,
      strangulation: false,
      weapons: false,
      'fear-for-life': false,
      'referral-wanted': 'yes',
    });
    expect(conversation.free_text).toBeTruthy();
    expect(conversation.free_text).not.toContain('spanning');
    expect(await db().selectFrom('escalations').select('id').where('contact_id', '=', contactId).execute()).toEqual([]);

    const services = page.locator('[data-service]');
    await visible(services.first());
    // Zutendaal and Dutch by default: the CAW, not the GP of Genk.
    expect(await services.evaluateAll((els) => els.map((e) => e.getAttribute('data-service')))).toEqual(['CAW Limburg, onthaal Zutendaal']);
    expect(await seriousViolations(page), 'referral').toEqual([]);
    await shot(page, 'referral');
    await tabTo(page, '[name=serviceId]');
    await page.keyboard.press('Space');
    await tabTo(page, '[name=status]');
    await page.keyboard.press('ArrowRight');
    expect(await page.locator('input[name="status"][value="accepted"]').isChecked()).toBe(true);
    await tabTo(page, 'Naar deze dienst doorverwijzen');
    await page.keyboard.press('Enter');
    await visible(page.getByRole('status').filter({ hasText: 'Doorverwezen naar CAW Limburg, onthaal Zutendaal: Aanvaard door de persoon.' }));
    await visible(page.locator('tr[data-referral="CAW Limburg, onthaal Zutendaal"][data-status="accepted"]'));
    expect(await focused(page)).toContain('Doorverwijzingen van dit contact');

    // A follow-up call in a week, in the afternoon (her safe part of the day, chosen already)…
    const inAWeek = addDays(today, 7);
    await tabTo(page, '[name=followUpDay]');
    await page.keyboard.type(DMY(inAWeek));
    await tabTo(page, 'Opvolgingsgesprek plannen');
    await page.keyboard.press('Enter');
    await visible(page.getByTestId('follow-up-planned').getByText(`Gepland: ${DMY(inAWeek)} 12:00`));
    expect(await seriousViolations(page), 'referral with a follow-up call').toEqual([]);
    await shot(page, 'referral-follow-up');
    // …cancelled: the CAW follows her up.
    await tabTo(page, 'Opvolgingsgesprek annuleren', 80);
    await page.keyboard.press('Enter');
    await visible(page.getByRole('status').filter({ hasText: 'Het opvolgingsgesprek is geannuleerd.' }));

    // Closed as "conversation held" (chosen already after the conversation).
    expect(await page.locator('input[name="closeOutcome"][value="conversation"]').isChecked()).toBe(true);
    await tabTo(page, 'Contact afsluiten', 80);
    await page.keyboard.press('Enter');
    await visible(page.getByRole('heading', { level: 1, name: 'Mijn werklijst' }));
    await visible(page.getByRole('status').filter({ hasText: `${ref} is afgesloten: Gesprek gevoerd.` }));
    expect(await page.locator(`tr[data-contact="${ref}"]`).count()).toBe(0);
    expect(tab.errors).toEqual([]);

    // ---- The funnel counts her -------------------------------------------------------------
    const after = await funnel();
    const delta = (k: string) => (after.get(k) ?? 0) - (before.get(k) ?? 0);
    expect(delta('received')).toBe(0);
    expect(delta('open')).toBe(-1);
    expect(delta('reached')).toBe(1);
    expect(delta('conversation_held')).toBe(1);
    expect(delta('referred')).toBe(1);
    expect(delta('referred_kind:caw')).toBe(1);
    expect(delta('escalated')).toBe(0);
    const behind = await coordinator.get(`/api/programmes/${programmeId}/funnel/contacts?line=referred_kind&kind=caw&from=${today}&to=${today}`);
    expect(((await behind.json()) as { items: { ref: string }[] }).items.map((i) => i.ref)).toContain(ref);
    const reachedAt3 = await coordinator.get(`/api/programmes/${programmeId}/funnel/contacts?line=phone_attempt_reached&attemptNo=3&from=${today}&to=${today}`);
    expect(((await reachedAt3.json()) as { items: { ref: string }[] }).items.map((i) => i.ref)).toContain(ref);
  });

  test('caller: a marked answer escalates at once; the caller escalates by judgment too; the contact leaves the green flow', async () => {
    // A reached contact of Genk, claimed by the caller, whose conversation is still to hold.
    const id = await seedWorkContact(
      db(),
      haven.runtime.keys,
      { programmeId, nisCode: '71016', municipality: 'Genk' },
      {
        identity: { firstName: 'Lies', lastName: 'Peeters', mobile: '+32 470 65 43 21' },
        leaseHolder: callerId,
        leaseUntil: new Date(Date.now() + 30 * 60_000),
      },
    );
    await seedAttempt(db(), { programmeId, contactId: id, at: new Date(Date.now() - 60_000), outcome: 'reached', callerId });
    await db().updateTable('contacts').set({ reached_at: new Date() }).where('id', '=', id).execute();
    const escRef = refOf('C', id);

    if (!page.url().startsWith(haven.url)) await signInByKeyboard(page, haven.url, haven.demo.caller as DemoCredential);
    await page.goto(`${haven.url}/outreach/contacts/${id}?programme=${programmeId}`);
    await visible(page.getByRole('heading', { level: 1, name: `Contact ${escRef}` }));
    await tabTo(page, 'Naar het gesprek');
    await page.keyboard.press('Enter');
    await visible(page.getByRole('heading', { level: 1, name: `Gesprek met ${escRef}` }));
    await tabTo(page, 'Gesprek beginnen');
    await page.keyboard.press('Enter');
    // To the part on safety, from the list of parts.
    await tabTo(page, '3. Veiligheid nu');
    await page.keyboard.press('Enter');
    await visible(page.locator('#section-heading').getByText('Veiligheid nu'));
    // Threatened since? Yes: the escalation is raised at once, and says what happens now.
    await tabTo(page, '[name=answers.threats]');
    await page.keyboard.press('Space');
    const alert = page.getByTestId('escalation-alert');
    await visible(alert.getByText('Escalatie gemeld: Bedreigingen'));
    await visible(alert.getByText('Naar Veilig Huis, dringendheid: vandaag.'));
    await visible(alert.getByText('Het dossier is nu oranje.'));
    await visible(alert.getByText('Het contact heeft de groene stroom verlaten: het is afgesloten als geëscaleerd.'));
    expect(await focused(page)).toContain('Escalatie gemeld: Bedreigingen');
    expect(await seriousViolations(page), 'conversation with an escalation').toEqual([]);
    await shot(page, 'escalated');

    // By judgment too (E): the reason is needed, refused at its field when none is ticked.
    await page.keyboard.press('e');
    const dialog = page.getByRole('dialog', { name: 'Escaleren' });
    await visible(dialog);
    await tabTo(page, 'Mijn eigen inschatting');
    await page.keyboard.press('Space');
    await tabTo(page, 'Nu escaleren');
    await page.keyboard.press('Enter');
    await visible(dialog.locator('[aria-invalid="true"]'));
    expect(await seriousViolations(page), 'escalate dialog with an error').toEqual([]);
    await shot(page, 'escalate-dialog');
    await tabTo(page, 'Mijn eigen inschatting');
    await page.keyboard.press('Space');
    await tabTo(page, '[name=note]');
    await page.keyboard.type('Zij vreest dat hij vanavond terugkomt.');
    await tabTo(page, 'Nu escaleren');
    await page.keyboard.press('Enter');
    await hidden(dialog);
    await visible(page.getByTestId('escalation-alert').filter({ hasText: 'Escalatie gemeld: Mijn eigen inschatting' }));
    expect(await focused(page)).toContain('Escalatie gemeld: Mijn eigen inschatting');

    // Finished calmly: the contact was closed by the escalation, back to the worklist.
    await tabTo(page, '6. Doorverwijzing');
    await page.keyboard.press('Enter');
    await tabTo(page, 'Afronden: gesprek gevoerd');
    await page.keyboard.press('Enter');
    await visible(page.getByRole('heading', { level: 1, name: 'Mijn werklijst' }));
    await visible(page.getByRole('status').filter({ hasText: `Het gesprek met ${escRef} is bewaard. Het contact werd afgesloten: Geëscaleerd.` }));
    const dossier = await db()
      .selectFrom('contacts as c')
      .innerJoin('dossiers as d', 'd.id', 'c.dossier_id')
      .select(['c.status', 'c.outcome', 'd.colour'])
      .where('c.id', '=', id)
      .executeTakeFirstOrThrow();
    expect(dossier).toEqual({ status: 'closed', outcome: 'escalated', colour: 'orange' });
    const escalations = await db().selectFrom('escalations').select(['reasons', 'note']).where('contact_id', '=', id).orderBy('raised_at').execute();
    expect(escalations.map((e) => e.reasons)).toEqual([['threats'], ['caller_judgment']]);
    expect(escalations[1]?.note).not.toContain('vreest');
    expect(tab.errors).toEqual([]);
  });
});
