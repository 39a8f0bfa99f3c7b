/** `haven user add` as an operator runs it: a sentence in the chosen language, or the account as JSON; refusals translated. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type CliSite, cliSite } from './cli.fixture.ts';

let site: CliSite;

beforeAll(async () => {
  site = await cliSite('user'); // the command migrates the database it opens
}, 120_000);
afterAll(() => site.close());

const PASSWORD = 'a long synthetic pass phrase 42';
const add = (email: string, ...more: string[]) =>
  site.run(['user', 'add', '--email', email, '--name', 'Test', '--organisation', 'Cli test', '--create-organisation', ...more], {
    HAVEN_NEW_USER_PASSWORD: PASSWORD,
  });

describe('haven user add', { timeout: 90_000 }, () => {
  it('says what it created in the language of --lang; --json gives the account', async () => {
    const nl = await add('nl@example.be', '--role', 'administrator', '--lang', 'nl');
    expect(nl.stderr).toBe('');
    expect(nl.code).toBe(0);
    expect(nl.stdout).toBe('Account nl@example.be aangemaakt. Rollen: administrator. De authenticator-app wordt ingesteld bij de eerste aanmelding.\n');

    const json = await add('json@example.be', '--json', '--lang', 'fr');
    expect(json.code).toBe(0);
    expect(JSON.parse(json.stdout)).toEqual({ id: expect.any(String), email: 'json@example.be', roles: [] });
  });

  it('refuses in the chosen language, exit 1', async () => {
    const taken = await add('nl@example.be', '--lang', 'fr');
    expect(taken.code).toBe(1);
    expect(taken.stdout).toBe('');
    expect(taken.stderr).toBe('haven: Un compte avec nl@example.be existe déjà.\n');

    const role = await add('role@example.be', '--role', 'caller', '--lang', 'de');
    expect(role.code).toBe(1);
    expect(role.stderr).toBe('haven: caller gilt innerhalb eines Programms: Schreiben Sie caller@<Slug-des-Programms>.\n');

    const weak = await site.run(['user', 'add', '--email', 'w@example.be', '--name', 'W', '--organisation', 'Cli test', '--lang', 'nl'], {
      HAVEN_NEW_USER_PASSWORD: 'short',
    });
    expect(weak.code).toBe(1);
    expect(weak.stderr).toMatch(/^haven: Het wachtwoord wordt geweigerd: .*12/);
  });
});
