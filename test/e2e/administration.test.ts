/**
 * Administration as the administrator sees it: users (done with the keyboard only), organisations,
 * projects and programmes, then the audit trail showing what was just done, and the profile.
 * The tests of this file run in order and build on each other, like a working session.
 */
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { formatDate } from '../../src/kernel/i18n/locales.ts';
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
  signIn,
  startHaven,
  type Tab,
  tabTo,
  visible,
} from './harness.ts';

const NEW_USER = { name: 'Fatima El Amrani', email: 'fatima.elamrani@caw.test' };

describe.skipIf(!chromiumPath)('administration', () => {
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

  test('keyboard only: sign in, create a user with a role in a programme, find them, deactivate them', async () => {
    const admin = haven.demo.admin!;
    const kb = page.keyboard;
    await page.goto(`${haven.url}/login`);
    await visible(page.getByRole('heading', { level: 1, name: 'Sign in' }));

    // The skip link comes first.
    await kb.press('Tab');
    expect(await focused(page)).toContain('Skip to main content');
    expect(await focusRingVisible(page)).toBe(true);

    await tabTo(page, '[name=email]');
    await kb.type(admin.email);
    await kb.press('Tab');
    expect(await focused(page)).toContain('[name=password]');
    await kb.type(admin.password);
    await kb.press('Enter');
    await visible(page.getByRole('heading', { level: 1, name: 'Enter your code' }));
    await tabTo(page, '[name=code]');
    await kb.type(await freshTotp(admin.totpSecret));
    await kb.press('Enter');
    await visible(page.getByRole('heading', { level: 1, name: 'Welcome, Ann Admin' }));

    // To the users, through the navigation.
    await tabTo(page, /\| Users$/);
    expect(await focusRingVisible(page)).toBe(true);
    await kb.press('Enter');
    await visible(page.getByRole('heading', { level: 1, name: 'Users' }));
    // After a navigation the new page's heading has focus, so Tab starts from there.
    expect(await focused(page)).toContain('Users');
    expect(await seriousViolations(page), 'users page').toEqual([]);

    await tabTo(page, 'New user');
    await kb.press('Enter');
    const dialog = page.getByRole('dialog', { name: 'New user' });
    await visible(dialog);
    // Focus starts inside the dialog, on the first field.
    expect(await focused(page)).toContain('[name=displayName]');

    // Sent empty: each field says what is wrong, under the field.
    await tabTo(page, 'Create the user');
    await kb.press('Enter');
    await visible(dialog.getByText('Enter a valid e-mail address.'));
    await visible(dialog.getByText('Use at least 2 characters.'));
    expect(await seriousViolations(page), 'new user dialog with errors').toEqual([]);

    // Focus stays trapped in the dialog: Tab from the last button goes round to its first control.
    for (let i = 0; i < 40; i++) {
      await kb.press('Tab');
      expect(await page.evaluate(() => !!document.activeElement?.closest('[role="dialog"]'))).toBe(true);
    }

    await tabTo(page, '[name=displayName]');
    await kb.type(NEW_USER.name);
    await tabTo(page, '[name=email]');
    await kb.type(NEW_USER.email);
    await tabTo(page, '[name=organisationId]');
    await kb.type('CAW Limburg');
    await tabTo(page, 'Make up a strong password');
    await kb.press('Enter');
    await tabTo(page, 'Add a role');
    await kb.press('Enter');
    await tabTo(page, 'Role 1');
    await kb.type('Facilitator');
    await tabTo(page, 'Programme for role 1');
    await kb.type('Lotgenotengroepen');
    await tabTo(page, 'Create the user');
    await kb.press('Enter');
    await hidden(dialog);
    await visible(page.getByRole('status').filter({ hasText: `${NEW_USER.name} has been created.` }));

    // In the list, found by the search field.
    await tabTo(page, 'Search by name or e-mail');
    await kb.type('fatima');
    await page.waitForFunction(() => location.search.includes('q=fatima') && document.querySelectorAll('tbody tr').length === 1);
    const row = page.getByRole('row').filter({ hasText: NEW_USER.email });
    await visible(row);
    expect(await row.textContent()).toContain('Facilitator – Lotgenotengroepen');
    expect(await row.textContent()).toContain('CAW Limburg');
    expect(await row.textContent()).toContain('Active');

    // Open, deactivate, confirm.
    await tabTo(page, `${NEW_USER.name}`);
    await kb.press('Enter');
    await visible(page.getByRole('heading', { level: 1, name: NEW_USER.name }));
    expect(await seriousViolations(page), 'user page').toEqual([]);
    await tabTo(page, /\| Deactivate$/);
    await kb.press('Enter');
    const confirm = page.getByRole('dialog', { name: `Deactivate ${NEW_USER.name}?` });
    await visible(confirm);
    expect(await seriousViolations(page), 'confirmation dialog').toEqual([]);
    // The confirming button has focus: Enter confirms.
    expect(await focused(page)).toContain('Deactivate');
    await kb.press('Enter');
    await hidden(confirm);
    await visible(page.getByRole('status').filter({ hasText: `${NEW_USER.name} has been deactivated and signed out everywhere.` }));
    await visible(page.getByRole('definition').filter({ hasText: 'Deactivated' }));
    await visible(page.getByRole('button', { name: 'Reactivate' }));

    // The list, filtered on deactivated users, shows them.
    await page.goto(`${haven.url}/admin/users?active=false`);
    await visible(page.getByRole('row').filter({ hasText: NEW_USER.email }).filter({ hasText: 'Deactivated' }));
    expect(tab.errors, 'console errors or CSP violations').toEqual([]);
  });

  test('organisations: add one, edit it, deactivate it', async () => {
    await page.getByRole('navigation').getByRole('link', { name: 'Organisations' }).click();
    await visible(page.getByRole('heading', { level: 1, name: 'Organisations' }));
    await visible(page.getByRole('rowheader', { name: 'CAW Limburg' }));
    expect(await seriousViolations(page), 'organisations page').toEqual([]);

    await page.getByRole('button', { name: 'New organisation' }).click();
    const dialog = page.getByRole('dialog', { name: 'New organisation' });
    await visible(dialog);
    await dialog.locator('input[name="name"]').fill('Politiezone Genk');
    await dialog.locator('select[name="kind"]').selectOption('police_zone');
    await dialog.locator('input[name="nisCode"]').fill('71X');
    await dialog.getByRole('button', { name: 'Save' }).click();
    await visible(dialog.locator('input[name="nisCode"][aria-invalid="true"]'));
    expect(await seriousViolations(page), 'organisation dialog with an error').toEqual([]);
    await dialog.locator('input[name="nisCode"]').fill('');
    await dialog.getByRole('button', { name: 'Save' }).click();
    await hidden(dialog);
    const row = page.getByRole('row').filter({ has: page.getByRole('rowheader', { name: 'Politiezone Genk' }) });
    await visible(row.filter({ hasText: 'Police zone' }));

    await row.getByRole('button', { name: 'Edit Politiezone Genk' }).click();
    const edit = page.getByRole('dialog', { name: 'Edit Politiezone Genk' });
    await edit.locator('input[name="name"]').fill('Politiezone CARMA Genk');
    await edit.getByRole('button', { name: 'Save' }).click();
    await hidden(edit);
    const renamed = page.getByRole('row').filter({ has: page.getByRole('rowheader', { name: 'Politiezone CARMA Genk' }) });
    await visible(renamed);

    await renamed.getByRole('button', { name: 'Deactivate Politiezone CARMA Genk' }).click();
    await page.getByRole('dialog', { name: 'Deactivate Politiezone CARMA Genk?' }).getByRole('button', { name: 'Deactivate' }).click();
    await visible(renamed.filter({ hasText: 'Deactivated' }));
    await visible(page.getByRole('status').filter({ hasText: 'Politiezone CARMA Genk has been deactivated.' }));
  });

  test('projects and programmes: the list, a new project, a new programme', async () => {
    await page.getByRole('navigation').getByRole('link', { name: 'Projects and programmes' }).click();
    await visible(page.getByRole('heading', { level: 2, name: 'Hoe gaat het met u?' }));
    const genk = page.getByRole('region', { name: 'Hoe gaat het met u?' });
    await visible(genk.getByText('Coordinated by Stad Genk · 01/01/2023 to 31/12/2024'));
    await visible(genk.getByText('Houthalen-Helchteren (72039)', { exact: false }));
    await visible(genk.getByRole('cell', { name: 'Proactieve contactname' }));
    expect(await seriousViolations(page), 'projects page').toEqual([]);

    await page.getByRole('button', { name: 'New project' }).click();
    const dialog = page.getByRole('dialog', { name: 'New project' });
    await dialog.locator('input[name="name"]').fill('Samen sterk Maasland');
    expect(await dialog.locator('input[name="slug"]').inputValue()).toBe('samen-sterk-maasland');
    await dialog.locator('select[name="coordinatingOrganisationId"]').selectOption({ label: 'Stad Genk' });
    await dialog.locator('input[name="startsOn"]').fill('01/03/2025');
    await dialog.locator('input[name="endsOn"]').fill('28/02/2025');
    await dialog.getByRole('button', { name: 'Add a municipality' }).click();
    await dialog.getByLabel('NIS code 1').fill('72021');
    await dialog.getByLabel('Municipality 1').fill('Maasmechelen');
    await dialog.getByRole('button', { name: 'Create the project' }).click();
    // The server checks the period and says so under the end date.
    await visible(dialog.getByText('The end date is before the start date.'));
    expect(await seriousViolations(page), 'new project dialog with an error').toEqual([]);
    await dialog.locator('input[name="endsOn"]').fill('28/02/2027');
    await dialog.getByRole('button', { name: 'Create the project' }).click();
    await hidden(dialog);
    const project = page.getByRole('region', { name: 'Samen sterk Maasland' });
    await visible(project.getByText('Coordinated by Stad Genk · 01/03/2025 to 28/02/2027'));
    await visible(project.getByText('Maasmechelen (72021)'));

    await project.getByRole('button', { name: 'Add a programme to Samen sterk Maasland' }).click();
    const add = page.getByRole('dialog', { name: 'New programme in Samen sterk Maasland' });
    await add.locator('input[name="name"]').fill('Lotgenoten Maasland');
    await add.locator('select[name="kind"]').selectOption('peer_groups');
    expect(await seriousViolations(page), 'new programme dialog').toEqual([]);
    await add.getByRole('button', { name: 'Add the programme' }).click();
    await hidden(add);
    await visible(project.getByRole('row').filter({ hasText: 'Lotgenoten Maasland' }).filter({ hasText: 'Peer groups' }));
  });

  test('projects: edit a project (period, municipalities) and rename a programme', async () => {
    const genk = page.getByRole('region', { name: 'Hoe gaat het met u?' });
    const edit = genk.getByRole('button', { name: 'Edit project Hoe gaat het met u?' });
    await edit.click();
    const dialog = page.getByRole('dialog', { name: 'Edit Hoe gaat het met u?' });
    await visible(dialog);
    // The form of a new project, filled in: dates as DD/MM/YYYY, the municipalities one a line.
    expect(await focused(page)).toContain('[name=name]');
    expect(await dialog.locator('input[name="name"]').inputValue()).toBe('Hoe gaat het met u?');
    expect(await dialog.locator('input[name="startsOn"]').inputValue()).toBe('01/01/2023');
    expect(await dialog.locator('input[name="endsOn"]').inputValue()).toBe('31/12/2024');
    expect(await dialog.getByLabel('Municipality 8').inputValue()).toBe('Zutendaal');
    expect(await dialog.locator('input[name="slug"]').getAttribute('readonly')).not.toBeNull();
    expect(await seriousViolations(page), 'edit project dialog').toEqual([]);

    // Zutendaal out; an empty line (not sent), then Maasmechelen with a NIS code one digit short.
    await dialog.getByRole('button', { name: 'Remove municipality 8' }).click();
    await dialog.getByRole('button', { name: 'Add a municipality' }).click();
    await dialog.getByRole('button', { name: 'Add a municipality' }).click();
    await dialog.getByLabel('NIS code 9').fill('7202');
    await dialog.getByLabel('Municipality 9').fill('Maasmechelen');
    await dialog.locator('input[name="endsOn"]').fill('31/12/2022');
    await dialog.getByRole('button', { name: 'Save the project' }).click();
    // The error is under the line it is about (the empty line was not sent), and has focus.
    await visible(dialog.locator('input[name="municipalities.8.nisCode"][aria-invalid="true"]'));
    expect(await dialog.locator('input[name="municipalities.7.nisCode"]').getAttribute('aria-invalid')).not.toBe('true');
    expect(await focused(page)).toContain('NIS code 9');
    await dialog.getByLabel('NIS code 9').fill('72021');
    await dialog.getByRole('button', { name: 'Save the project' }).click();
    // The server checks the period and says so under the end date.
    await visible(dialog.getByText('The end date is before the start date.'));
    expect(await focused(page)).toContain('[name=endsOn]');
    expect(await seriousViolations(page), 'edit project dialog with an error').toEqual([]);

    await dialog.locator('input[name="endsOn"]').fill('30/06/2025');
    await dialog.getByRole('button', { name: 'Save the project' }).click();
    await hidden(dialog);
    await visible(page.getByRole('status').filter({ hasText: 'The project Hoe gaat het met u? has been saved.' }));
    await visible(genk.getByText('Coordinated by Stad Genk · 01/01/2023 to 30/06/2025'));
    await visible(genk.getByText('Maasmechelen (72021)', { exact: false }));
    expect(await genk.textContent()).not.toContain('Zutendaal');
    // Focus is back on the button that opened the dialog.
    expect(await focused(page)).toContain('Edit project Hoe gaat het met u?');

    // Opened again: what was saved, the date as typed.
    await edit.click();
    await visible(dialog);
    expect(await dialog.locator('input[name="endsOn"]').inputValue()).toBe('30/06/2025');
    await page.keyboard.press('Escape');
    await hidden(dialog);

    // A programme gets a new name; its short name stays.
    await genk.getByRole('button', { name: 'Rename the programme Webinar en vorming' }).click();
    const rename = page.getByRole('dialog', { name: 'Rename Webinar en vorming' });
    await visible(rename);
    expect(await focused(page)).toContain('[name=name]');
    await rename.locator('input[name="name"]').fill('');
    await rename.getByRole('button', { name: 'Rename' }).click();
    await visible(rename.locator('input[name="name"][aria-invalid="true"]'));
    expect(await seriousViolations(page), 'rename programme dialog with an error').toEqual([]);
    await rename.locator('input[name="name"]').fill('Webinars en vorming voor professionals');
    await rename.getByRole('button', { name: 'Rename' }).click();
    await hidden(rename);
    await visible(page.getByRole('status').filter({ hasText: 'The programme is now called Webinars en vorming voor professionals.' }));
    await visible(genk.getByRole('row').filter({ hasText: 'Webinars en vorming voor professionals' }).filter({ hasText: 'hoe-gaat-het-vorming' }));
    expect(tab.errors, 'console errors or CSP violations').toEqual([]);
  });

  test('audit trail: what was just done is there, in detail; the chain verifies intact', async () => {
    await page.getByRole('navigation').getByRole('link', { name: 'Audit trail' }).click();
    await visible(page.getByRole('heading', { level: 1, name: 'Audit trail' }));
    await visible(page.locator('tbody tr[data-action="project.created"]'));
    expect(await seriousViolations(page), 'audit page').toEqual([]);

    // Filter: today, actions starting with "user.", by Ann Admin.
    const today = formatDate(new Date());
    await page.locator('input[name="from"]').fill(today);
    await page.locator('input[name="to"]').fill(today);
    await page.locator('input[name="action"]').fill('user.');
    // Who: typed, searched by the server (by e-mail too), picked with the keyboard.
    const who = page.getByRole('combobox', { name: 'Who' });
    await who.click();
    const searched = page.waitForRequest((r) => {
      const u = new URL(r.url());
      return u.pathname === '/api/users' && u.searchParams.get('q') === 'admin@demo' && u.searchParams.get('pageSize') === '20';
    });
    await page.keyboard.type('admin@demo');
    await searched;
    const listbox = page.getByRole('listbox');
    await page.waitForFunction(() => {
      const options = [...document.querySelectorAll('[role="listbox"] [role="option"]')];
      return options.length === 1 && options[0]?.textContent?.includes('Ann Admin');
    });
    await visible(page.getByRole('status').filter({ hasText: 'People found: 1' }));
    expect(await seriousViolations(page), 'audit page, choosing who').toEqual([]);
    await page.keyboard.press('ArrowDown');
    await page.keyboard.press('Enter');
    await hidden(listbox);
    expect(await who.inputValue()).toBe('Ann Admin');
    await page.getByRole('button', { name: 'Filter', exact: true }).click();
    await page.waitForFunction(() => [...document.querySelectorAll('tbody tr')].every((r) => r.getAttribute('data-action')?.startsWith('user.')));
    const actions = await page.locator('tbody tr').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-action')));
    expect(actions).toEqual(['user.deactivated', 'user.created']);
    expect(page.url()).toContain('action=user.');
    expect(page.url()).toContain('actorUserId=');
    for (const row of await page.locator('tbody tr').all()) {
      expect(await row.textContent()).toContain('Ann Admin');
      expect(await row.textContent()).toContain(today);
    }
    // Opened from its address, the filter names the person.
    await page.reload();
    await page.waitForFunction(() => (document.querySelector('input[role="combobox"]') as HTMLInputElement | null)?.value === 'Ann Admin');

    // The detail of the creation, with the role given, readable.
    await page
      .locator('tbody tr[data-action="user.created"]')
      .getByRole('button', { name: /^Details of entry \d+$/ })
      .click();
    const detail = page.getByRole('dialog', { name: /^Entry \d+$/ });
    await visible(detail);
    await visible(detail.getByText('user.created'));
    await visible(detail.getByTestId('event-details').getByText('"role": "facilitator"', { exact: false }));
    expect(await seriousViolations(page), 'audit entry dialog').toEqual([]);
    await detail.getByRole('button', { name: 'Close' }).last().click();
    await hidden(detail);

    // By outcome.
    await page.getByRole('button', { name: 'Clear the filters' }).click();
    await page.locator('select[name="outcome"]').selectOption('success');
    await page.getByRole('button', { name: 'Filter', exact: true }).click();
    await page.waitForFunction(() => {
      const rows = [...document.querySelectorAll('tbody tr')];
      return rows.length > 0 && rows.every((r) => r.textContent?.includes('Succeeded'));
    });
    await visible(page.locator('tbody tr[data-action="organisation.updated"]'));

    await page.getByRole('button', { name: 'Verify the chain' }).click();
    const result = page.getByTestId('verify-result');
    await visible(result.filter({ hasText: 'The audit trail is intact' }));
    expect(await result.textContent()).toMatch(/All \d+ entries were checked/);
    expect(await seriousViolations(page), 'audit page with the verification').toEqual([]);
    expect(tab.errors).toEqual([]);
  });

  test('profile: language, password change, a new authenticator', async () => {
    await tab.context.close();
    tab = await newTab(browser);
    page = tab.page;
    const dpo = haven.demo.dpo!;
    await signIn(page, haven.url, dpo);
    // The DPO reads the audit trail, the users and the data-sharing protocols, manages nothing.
    const links = await page.getByRole('navigation', { name: 'Main navigation' }).getByRole('link').allTextContents();
    expect(links).toEqual(['Home', 'Protocols', 'Users', 'Organisations', 'Projects and programmes', 'Audit trail', 'My profile']);
    await page.getByRole('navigation').getByRole('link', { name: 'Users' }).click();
    await visible(page.getByRole('heading', { level: 1, name: 'Users' }));
    expect(await page.getByRole('button', { name: 'New user' }).count()).toBe(0);

    await page.getByRole('navigation').getByRole('link', { name: 'My profile' }).click();
    await visible(page.getByRole('heading', { level: 1, name: 'My profile' }));
    expect(await seriousViolations(page), 'profile page').toEqual([]);
    // Their organisation, on the profile and in the header.
    expect(await page.getByTestId('my-organisation').textContent()).toBe('Organisation: Stad Genk');
    expect(await page.getByRole('banner').getByTestId('current-organisation').textContent()).toBe('Organisation: Stad Genk');

    // The password: a wrong current one is said so under its field.
    const newPassword = 'kalme zee achter de duinen';
    await page.locator('input[name="currentPassword"]').fill('not my password at all');
    await page.locator('input[name="newPassword"]').fill(newPassword);
    await page.locator('input[name="repeat"]').fill(newPassword);
    await page.getByRole('button', { name: 'Change the password' }).click();
    await visible(page.getByText('The password is not correct.'));
    await page.locator('input[name="currentPassword"]').fill(dpo.password);
    await page.getByRole('button', { name: 'Change the password' }).click();
    await visible(page.getByRole('status').filter({ hasText: 'Your password has been changed.' }));
    dpo.password = newPassword;

    // The language, from the profile: French at once.
    await page.locator('#language-field').selectOption('fr');
    await visible(page.getByRole('heading', { level: 1, name: 'Mon profil' }));
    await page.locator('#language-field').selectOption('en');
    await visible(page.getByRole('heading', { level: 1, name: 'My profile' }));

    // A new phone: password and current code, confirm, then enrol the new app.
    await page.locator('input[name="mfaCurrentPassword"]').fill(dpo.password);
    await page.locator('input[name="mfaCode"]').fill(await freshTotp(dpo.totpSecret));
    await page.getByRole('button', { name: 'Replace the authenticator' }).click();
    const confirm = page.getByRole('dialog', { name: 'Replace your authenticator?' });
    await visible(confirm);
    await confirm.getByRole('button', { name: 'Replace the authenticator' }).click();
    await visible(page.getByRole('heading', { level: 1, name: 'Set up your authenticator app' }));
    await visible(page.getByRole('img', { name: 'QR code to scan with your authenticator app' }));
    const secret = ((await page.getByTestId('totp-secret').textContent()) ?? '').replace(/\s/g, '');
    expect(secret).not.toBe(dpo.totpSecret);
    await page.locator('input[name="code"]').fill(await freshTotp(secret));
    await page.getByRole('button', { name: 'Confirm' }).click();
    await page.getByLabel('I have saved these recovery codes').check();
    await page.getByRole('button', { name: 'Continue to Haven' }).click();
    await visible(page.getByRole('heading', { level: 1, name: 'My profile' }));

    // Signed in again elsewhere: the new password and the new app.
    const other = await newTab(browser);
    await signIn(other.page, haven.url, { email: dpo.email, password: newPassword, totpSecret: secret });
    await visible(other.page.getByRole('heading', { level: 1, name: 'Welcome, Dirk DPO' }));
    await other.context.close();
    expect(tab.errors).toEqual([]);
  });
});
