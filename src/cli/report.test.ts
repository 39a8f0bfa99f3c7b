/**
 * `haven report funnel` as an operator runs it: the funnel of the fixture's programme as JSON
 * (the same object the API gives) and as the CSV of the download in another language, and bad
 * input refused with a problem on stderr, exit 1 and nothing on stdout.
 */
import { parse as parseCsv } from 'csv-parse/sync';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ephemeralKeyRing } from '../kernel/vault/keyring.ts';
import { AS, buildFunnelWorld, type FunnelWorld, PERIOD } from '../modules/outreach/funnel.fixture.ts';
import { computeFunnel, type Funnel, resolveFunnelQuery } from '../modules/outreach/funnel.ts';
import { type CliSite, cliSite } from './cli.fixture.ts';

let site: CliSite;
let world: FunnelWorld;

beforeAll(async () => {
  site = await cliSite('report');
  world = await site.withDatabase((database) => buildFunnelWorld(database.db, ephemeralKeyRing()));
}, 120_000);
afterAll(() => site.close());

const funnelArgs = (...extra: string[]) => ['report', 'funnel', '--programme', world.slug, '--from', PERIOD.from, '--to', PERIOD.to, ...extra];

describe('haven report funnel', { timeout: 90_000 }, () => {
  it('prints the funnel as JSON, the same object the API gives', async () => {
    const r = await site.run(funnelArgs());
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const printed = JSON.parse(r.stdout) as Funnel;
    const count = (line: string) => printed.lines.find((l) => l.line === line)?.count;
    expect(count('received')).toBe(19);
    expect(count('reached')).toBe(9);
    expect(count('conversation_held')).toBe(5);
    expect(printed.lines.filter((l) => l.group === 'stage').reduce((a, l) => a + l.count, 0)).toBe(19);
    const direct = await site.withDatabase(async (database) =>
      computeFunnel(database.db, await resolveFunnelQuery(database.db, { programmeId: world.programmeId, from: PERIOD.from, to: PERIOD.to })),
    );
    expect(printed).toEqual(direct);
    for (const text of world.plaintexts) expect(r.stdout).not.toContain(text);
  });

  it('prints the CSV of one municipality in Dutch', async () => {
    const r = await site.run(funnelArgs('--municipality', AS.nisCode, '--format', 'csv', '--lang', 'nl'));
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout.startsWith('\uFEFF')).toBe(true);
    const rows = parseCsv(r.stdout.slice(1), { delimiter: ';', relax_column_count: true }) as string[][];
    expect(rows[0]).toEqual(['Trechter van de outreach']);
    expect(rows[2]).toEqual(['Periode', '01/01/2025', '31/03/2025']);
    expect(rows[3]).toEqual(['Gemeente', 'As (71002)']);
    expect(rows.find((x) => x[0] === 'Contactgegevens ontvangen')?.[2]).toBe('3');
    expect(rows.find((x) => x[0] === 'Onbereikbaar na 3 pogingen')?.[2]).toBe('1');
  });

  it('refuses bad input: exit 1, a problem on stderr, nothing on stdout', async () => {
    const unknown = await site.run(['report', 'funnel', '--programme', 'no-such-programme', '--from', PERIOD.from, '--to', PERIOD.to]);
    expect(unknown.code).toBe(1);
    expect(unknown.stdout).toBe('');
    expect(unknown.stderr).toContain('No programme with the slug "no-such-programme"');

    const problemOf = async (args: string[]) => {
      const r = await site.run(args);
      expect(r.code, r.stderr).toBe(1);
      expect(r.stdout).toBe('');
      return JSON.parse(r.stderr) as { code: string; errors: { field: string; code: string; message: string }[] };
    };
    const impossible = await problemOf(['report', 'funnel', '--programme', world.slug, '--from', '2025-02-30', '--to', PERIOD.to]);
    expect(impossible.code).toBe('validation');
    expect(impossible.errors).toEqual([expect.objectContaining({ field: 'from', code: 'invalid_format' })]);
    const backwards = await problemOf(['report', 'funnel', '--programme', world.slug, '--from', PERIOD.to, '--to', PERIOD.from, '--lang', 'fr']);
    expect(backwards.errors).toEqual([expect.objectContaining({ field: 'to', code: 'ends_before_start' })]);
    expect(backwards.errors[0]?.message).not.toBe('');
    const elsewhere = await problemOf(funnelArgs('--municipality', '21004'));
    expect(elsewhere.errors).toEqual([expect.objectContaining({ field: 'municipality', code: 'municipality_unknown' })]);

    const format = await site.run(funnelArgs('--format', 'pdf'));
    expect(format.code).toBe(1);
    expect(format.stdout).toBe('');
    expect(format.stderr).toContain('Unknown format "pdf"');
  });
});
