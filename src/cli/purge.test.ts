import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ephemeralKeyRing } from '../kernel/vault/keyring.ts';
import { buildWorld, type World } from '../modules/referrals/retention.fixture.ts';
import { type CliSite, cliSite } from './cli.fixture.ts';

let site: CliSite;
let world: World;

beforeAll(async () => {
  site = await cliSite('purge');
  // A world whose `now` has passed: A, B, C due; E due only next year and later.
  const today = new Date();
  const year = today.getUTCMonth() > 2 || (today.getUTCMonth() === 2 && today.getUTCDate() >= 10) ? today.getUTCFullYear() - 1 : today.getUTCFullYear() - 2;
  world = await site.withDatabase(async (database) => {
    const w = await buildWorld(database.db, ephemeralKeyRing(), { shiftYears: year - 2025 });
    // An attempt note (outreach's vault) on A, whose retention has ended, and on D, whose has not.
    for (const key of ['A', 'D'] as const) {
      await database.db
        .insertInto('attempts')
        .values({
          contact_id: w.contacts[key],
          programme_id: w.programmeId,
          attempt_no: 1,
          caller_id: null,
          at: new Date(`${w.year}-01-15T09:00:00Z`),
          local_day: `${w.year}-01-15`,
          part_of_day: 'morning',
          channel: 'phone',
          outcome: 'no_answer',
          note: 'sealed note',
        })
        .execute();
    }
    return w;
  });
}, 120_000);

const attemptNotes = () =>
  site.withDatabase(async (database) =>
    Object.fromEntries((await database.db.selectFrom('attempts').select(['contact_id', 'note']).execute()).map((r) => [r.contact_id, r.note])),
  );
afterAll(() => site.close());

const identities = () =>
  site.withDatabase(async (database) => (await database.db.selectFrom('contact_identities').select('contact_id').execute()).map((r) => r.contact_id).sort());

describe('haven purge', { timeout: 90_000 }, () => {
  it('--dry-run lists what would go, without personal data, and changes nothing', async () => {
    const before = await identities();
    const r = await site.run(['purge', '--dry-run']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('Would purge the identifying data of 3 contacts');
    for (const key of ['A', 'B', 'C'] as const) expect(r.stdout).toContain(world.contacts[key]);
    expect(r.stdout).toContain(world.slug);
    expect(r.stdout).toContain(`01/02/${world.year + 1}`);
    expect(r.stdout).toContain('Dry run: nothing was changed.');
    for (const text of world.plaintexts) expect(r.stdout).not.toContain(text);
    expect(await identities()).toEqual(before);

    const json = await site.run(['purge', '--dry-run', '--json']);
    expect(json.code).toBe(0);
    const parsed = JSON.parse(json.stdout);
    expect(parsed).toMatchObject({ dryRun: true, contacts: 3, dossierIdentities: 1, outreach: { attempts: 1, conversations: 0 } });
    expect(r.stdout).toContain('1 attempt note,');
    expect(parsed.due[0]).toEqual({
      contactId: world.contacts.A,
      programmeSlug: world.slug,
      closedAt: `${world.year}-02-01T10:00:00.000Z`,
      retentionUntil: `${world.year + 1}-02-01T10:00:00.000Z`,
    });
    expect(await identities()).toEqual(before);
    expect(Object.values(await attemptNotes())).toEqual(['sealed note', 'sealed note']);
  });

  it('--dry-run --lang fr says it in French, from the catalogue; --json stays the same', async () => {
    const before = await identities();
    const r = await site.run(['purge', '--dry-run', '--lang', 'fr']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('Les données d’identification de 3 contacts dont le délai de conservation est écoulé au');
    // The table's headings, and its rows under them.
    const heading = r.stdout.split('\n').find((l) => l.startsWith('id du contact'));
    expect(heading).toMatch(/^id du contact +programme +clôturé le +conservé jusqu’au$/);
    expect(r.stdout).toMatch(new RegExp(`${world.contacts.A} +${world.slug} +01/02/${world.year} +01/02/${world.year + 1}`));
    expect(r.stdout).toContain('1 note de tentative,');
    expect(r.stdout).toContain('Simulation : rien n’a été modifié.');
    expect(r.stdout).not.toMatch(/Would purge|Dry run|contact id/);
    for (const text of world.plaintexts) expect(r.stdout).not.toContain(text);
    // The program's --lang (before the command) and HAVEN_LANG say the same.
    expect((await site.run(['--lang', 'fr', 'purge', '--dry-run'])).stdout).toBe(r.stdout);
    expect((await site.run(['purge', '--dry-run'], { HAVEN_LANG: 'fr' })).stdout).toBe(r.stdout);
    const json = await site.run(['purge', '--dry-run', '--json', '--lang', 'fr']);
    const en = await site.run(['purge', '--dry-run', '--json']);
    expect(JSON.parse(json.stdout)).toEqual({ ...JSON.parse(en.stdout), now: expect.any(String) });
    expect(await identities()).toEqual(before);
  });

  it('refuses a language it does not speak: exit 1, a clear message, nothing done', async () => {
    const before = await identities();
    const r = await site.run(['purge', '--lang', 'xx']);
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr).toBe('haven: Unknown language "xx" (--lang): use nl, fr, en or de.\n');
    // Said in the language it would otherwise have used.
    const nl = await site.run(['purge', '--lang', 'xx'], { LANG: 'nl_BE.UTF-8' });
    expect(nl.code).toBe(1);
    expect(nl.stderr).toBe('haven: Onbekende taal “xx” (--lang): gebruik nl, fr, en of de.\n');
    const env = await site.run(['purge'], { HAVEN_LANG: 'klingon' });
    expect(env.code).toBe(1);
    expect(env.stderr).toContain('Unknown language "klingon" (HAVEN_LANG)');
    expect(await identities()).toEqual(before);
  });

  it('purges, audited with the command line as actor', async () => {
    const r = await site.run(['purge', '--json']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ dryRun: false, contacts: 3, dossierIdentities: 1, outreach: { attempts: 1 } });
    const notes = await attemptNotes();
    expect(notes[world.contacts.A]).toBeNull();
    expect(notes[world.contacts.D]).toBe('sealed note');
    const left = await identities();
    for (const key of ['A', 'B', 'C'] as const) expect(left).not.toContain(world.contacts[key]);
    for (const key of ['D', 'E', 'F'] as const) expect(left).toContain(world.contacts[key]);
    const events = await site.withDatabase((database) =>
      database.db.selectFrom('audit_events').select(['actor_role', 'details']).where('action', '=', 'retention.purge').execute(),
    );
    expect(events).toHaveLength(1);
    expect(events[0]?.actor_role).toBe('cli');
    const again = await site.run(['purge']);
    expect(again.code).toBe(0);
    expect(again.stdout).toContain('Purged the identifying data of 0 contacts');
  });
});
