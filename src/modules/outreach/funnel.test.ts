/**
 * The live funnel on a real database: a programme whose contacts stand at every stage (the
 * pseudonymous facts of attempts, conversations, referrals and escalations are set directly, as
 * their routes leave them: see funnel.fixture.ts), checked line by line, additive, per
 * municipality, on the edges of the period in Europe/Brussels, traced to its contacts, exported as
 * CSV and XLSX, moved by a referral made through the API, and unchanged by the retention purge.
 */
import { parse as parseCsv } from 'csv-parse/sync';
import ExcelJS from 'exceljs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SYSTEM_ACTOR } from '../../kernel/audit/audit.ts';
import type { Session, TestServer } from '../../testing/server.ts';
import { testServer } from '../../testing/server.ts';
import { purgeIn } from '../referrals/retention.ts';
import { seedContact } from '../referrals/testing.ts';
import { AS, buildFunnelWorld, type ContactKey, type FunnelWorld, PERIOD } from './funnel.fixture.ts';
import type { Funnel, FunnelLine } from './funnel.ts';
import { purgeOutreachVault } from './retention.ts';

let s: TestServer;
let world: FunnelWorld;
let coordinator: Session;
let analyst: Session;
let caller: Session;
let liaison: Session;
let facilitator: Session;
let otherCoordinator: Session;

/** Who stands on each line, by hand from the fixture's story (never computed from the code under test). */
const MEMBERS: Record<Exclude<FunnelLine, 'referred_kind'>, ContactKey[]> = {
  received: ['ni1', 'ni2', 'un1', 'un2', 'rf1', 'rf2', 'ch1', 'ch2', 'ch3', 'ch4', 'ch5', 'ro1', 'ro2', 'co1', 'co2', 'op1', 'op2', 'E1', 'E3'],
  not_informed: ['ni1', 'ni2', 'E3'],
  unreachable: ['un1', 'un2'],
  reached: ['rf1', 'rf2', 'ch1', 'ch2', 'ch3', 'ch4', 'ch5', 'ro1', 'ro2'],
  closed_other: ['co1', 'co2'],
  open: ['op1', 'op2', 'E1'],
  refused: ['rf1', 'rf2'],
  conversation_held: ['ch1', 'ch2', 'ch3', 'ch4', 'ch5'],
  reached_other: ['ro1', 'ro2'],
  referred: ['ch1', 'ch2', 'ch5'],
  not_referred: ['ch3', 'ch4'],
  taken_up: ['ch1'],
  escalated: ['ch5', 'co2'],
};
const KIND_MEMBERS: Record<string, ContactKey[]> = { caw: ['ch1', 'ch2'], peer_group: ['ch2'], veilig_huis: ['ch5'] };

const base = () => `/api/programmes/${world.programmeId}`;
const period = (extra = '') => `from=${PERIOD.from}&to=${PERIOD.to}${extra}`;

async function funnel(session: Session = coordinator, query = period()): Promise<Funnel> {
  const r = await session.request('GET', `${base()}/funnel?${query}`);
  expect(r.statusCode, r.body).toBe(200);
  return r.json();
}

const countOf = (f: Funnel, line: FunnelLine, kind?: string) => f.lines.find((l) => l.line === line && (kind === undefined || l.kind === kind))?.count;

function sumOf(f: Funnel, group: 'stage' | 'talk' | 'referral') {
  return f.lines.filter((l) => l.group === group).reduce((a, l) => a + l.count, 0);
}

async function drill(query: string, session: Session = coordinator) {
  const r = await session.request('GET', `${base()}/funnel/contacts?${query}&pageSize=100`);
  expect(r.statusCode, r.body).toBe(200);
  return r.json() as { items: { id: string; ref: string }[]; total: number };
}

const idsOf = (keys: ContactKey[]) => keys.map((k) => world.contacts[k]).sort();

beforeAll(async () => {
  s = await testServer();
  const p = await s.createProgramme();
  world = await buildFunnelWorld(s.database.db, s.keys, p);
  // A contact of another programme, received in the period: never counted here.
  const other = await s.createProgramme();
  const stranger = await seedContact(s.database.db, s.keys, { programmeId: other.programmeId });
  await s.database.db
    .updateTable('contacts')
    .set({ received_at: new Date('2025-02-03T10:00:00Z') })
    .where('id', '=', stranger.contactId)
    .execute();
  const grant = (role: 'coordinator' | 'analyst' | 'caller' | 'police_liaison' | 'facilitator') => [{ role, programmeId: p.programmeId }];
  coordinator = await s.signIn(await s.createUser(grant('coordinator')));
  analyst = await s.signIn(await s.createUser(grant('analyst'), { mfa: false }));
  caller = await s.signIn(await s.createUser(grant('caller')));
  liaison = await s.signIn(await s.createUser(grant('police_liaison')));
  facilitator = await s.signIn(await s.createUser(grant('facilitator')));
  otherCoordinator = await s.signIn(await s.createUser([{ role: 'coordinator', programmeId: other.programmeId }]));
}, 120_000);
afterAll(() => s.close());

describe('the funnel of a period', () => {
  it('counts every line as the story says', async () => {
    const f = await funnel();
    expect(f.programme).toEqual({ id: world.programmeId, slug: world.slug, name: expect.any(String) });
    expect(f.period).toEqual({ from: PERIOD.from, to: PERIOD.to, timeZone: 'Europe/Brussels' });
    expect(f.municipality).toBeNull();
    expect(f.maxAttempts).toBe(3);
    for (const [line, members] of Object.entries(MEMBERS)) expect(countOf(f, line as FunnelLine), line).toBe(members.length);
    // Counts by kind: every kind is listed, a contact referred to two kinds (ch2) counts in both.
    const kinds = f.lines.filter((l) => l.line === 'referred_kind');
    expect(kinds.map((l) => l.kind)).toEqual([
      'caw',
      'peer_group',
      'veilig_huis',
      'gp',
      'jac',
      'ocmw_cpas',
      'lawyer',
      'police',
      'perpetrator_training',
      'mental_health',
      'other',
    ]);
    for (const l of kinds) expect(l.count, l.kind ?? '').toBe(KIND_MEMBERS[l.kind ?? '']?.length ?? 0);
    expect(kinds.every((l) => l.note === 'several_kinds' && l.parent === 'referred')).toBe(true);
    // gp was declined: it counts nowhere.
    expect(countOf(f, 'referred_kind', 'gp')).toBe(0);
    expect(f.lines.find((l) => l.line === 'escalated')).toMatchObject({ parent: null, group: null, note: 'cross_cutting' });
  });

  it('adds up: the five stages to the contacts received, the conversation lines to reached, referred and not to held', async () => {
    const f = await funnel();
    expect(f.lines.filter((l) => l.group === 'stage').map((l) => l.line)).toEqual(['not_informed', 'unreachable', 'reached', 'closed_other', 'open']);
    expect(sumOf(f, 'stage')).toBe(countOf(f, 'received'));
    expect(sumOf(f, 'talk')).toBe(countOf(f, 'reached'));
    expect(sumOf(f, 'referral')).toBe(countOf(f, 'conversation_held'));
    // The same in every municipality and period tried below.
    for (const q of [period(`&nisCode=${AS.nisCode}`), 'from=2024-12-31&to=2024-12-31', 'from=2025-04-01&to=2025-12-31', 'from=2020-01-01&to=2030-12-31']) {
      const g = await funnel(coordinator, q);
      expect(sumOf(g, 'stage'), q).toBe(countOf(g, 'received'));
      expect(sumOf(g, 'talk'), q).toBe(countOf(g, 'reached'));
      expect(sumOf(g, 'referral'), q).toBe(countOf(g, 'conversation_held'));
    }
  });

  it('gives the reach rate by attempt number and by part of the day (phone attempts only)', async () => {
    const f = await funnel();
    expect(f.reachByAttempt).toEqual([
      { attemptNo: 1, attempts: 15, reached: 6, rate: 0.4 },
      { attemptNo: 2, attempts: 5, reached: 2, rate: 0.4 },
      { attemptNo: 3, attempts: 3, reached: 1, rate: 0.3333 },
    ]);
    expect(f.reachByPartOfDay).toEqual([
      { partOfDay: 'morning', attempts: 8, reached: 3, rate: 0.375 },
      { partOfDay: 'afternoon', attempts: 8, reached: 3, rate: 0.375 },
      { partOfDay: 'evening', attempts: 7, reached: 3, rate: 0.4286 },
    ]);
  });

  it('follows the programme’s maximum of attempts', async () => {
    const db = s.database.db;
    await db.updateTable('outreach_settings').set({ max_attempts: 4 }).where('programme_id', '=', world.programmeId).execute();
    try {
      const f = await funnel();
      expect(f.maxAttempts).toBe(4);
      expect(f.reachByAttempt.at(-1)).toEqual({ attemptNo: 4, attempts: 0, reached: 0, rate: null });
      const csv = await coordinator.request('GET', `${base()}/funnel.csv?${period()}&lang=en`);
      expect(csv.body).toContain('Unreachable after 4 attempts');
    } finally {
      await db.updateTable('outreach_settings').set({ max_attempts: 3 }).where('programme_id', '=', world.programmeId).execute();
    }
  });

  it('filters by municipality (the dossier’s NIS code)', async () => {
    const f = await funnel(coordinator, period(`&nisCode=${AS.nisCode}`));
    expect(f.municipality).toEqual(AS);
    // The filter's choices, for the analyst too (who may not read the project).
    expect(((await funnel(analyst)) as Funnel & { municipalities: unknown }).municipalities).toEqual([
      AS,
      expect.objectContaining({ nisCode: '71016', name: 'Genk' }),
    ]);
    const expected: Partial<Record<FunnelLine, number>> = {
      received: 3,
      not_informed: 1,
      unreachable: 1,
      reached: 1,
      closed_other: 0,
      open: 0,
      refused: 0,
      conversation_held: 1,
      reached_other: 0,
      referred: 1,
      not_referred: 0,
      taken_up: 0,
      escalated: 0,
    };
    for (const [line, n] of Object.entries(expected)) expect(countOf(f, line as FunnelLine), line).toBe(n);
    expect(countOf(f, 'referred_kind', 'caw')).toBe(1);
    expect(countOf(f, 'referred_kind', 'peer_group')).toBe(1);
    expect(f.reachByAttempt.map((r) => [r.attempts, r.reached])).toEqual([
      [2, 0],
      [2, 0],
      [2, 1],
    ]);
    const all = await drill(`line=received&${period(`&nisCode=${AS.nisCode}`)}`);
    expect(all.items.map((c) => c.id).sort()).toEqual(idsOf(['ni2', 'un2', 'ch2']));
  });

  it('counts whole days in Europe/Brussels, both ends included (winter and summer time)', async () => {
    const received = await drill(`line=received&${period()}`);
    const ids = received.items.map((c) => c.id);
    expect(ids).toContain(world.contacts.E1); // 00:30 on 1 January
    expect(ids).toContain(world.contacts.E3); // 23:59 on 31 March, summer time
    expect(ids).not.toContain(world.contacts.E2); // 23:59:59 on 31 December
    expect(ids).not.toContain(world.contacts.E4); // 00:00 on 1 April
    const newYearsEve = await funnel(coordinator, 'from=2024-12-31&to=2024-12-31');
    expect(countOf(newYearsEve, 'received')).toBe(1);
    expect((await drill('line=received&from=2024-12-31&to=2024-12-31')).items.map((c) => c.id)).toEqual([world.contacts.E2]);
    expect((await drill('line=open&from=2025-04-01&to=2025-04-01')).items.map((c) => c.id)).toEqual([world.contacts.E4]);
  });

  it('refuses a period that runs backwards, an impossible date and a municipality outside the project', async () => {
    const backwards = await coordinator.request('GET', `${base()}/funnel?from=2025-03-31&to=2025-01-01`);
    expect(backwards.statusCode).toBe(400);
    expect(backwards.json().errors).toEqual([expect.objectContaining({ field: 'query.to', code: 'ends_before_start' })]);
    const impossible = await coordinator.request('GET', `${base()}/funnel?from=2025-02-30&to=2025-03-31`);
    expect(impossible.statusCode).toBe(400);
    expect(impossible.json().errors[0]).toMatchObject({ field: 'query.from', code: 'invalid_format' });
    const elsewhere = await coordinator.request('GET', `${base()}/funnel?${period('&nisCode=21004')}`);
    expect(elsewhere.statusCode).toBe(400);
    expect(elsewhere.json().errors).toEqual([expect.objectContaining({ field: 'query.nisCode', code: 'municipality_unknown' })]);
    const missing = await coordinator.request('GET', `${base()}/funnel`);
    expect(missing.statusCode).toBe(400);
  });
});

describe('tracing a number to its contacts', () => {
  it('lists exactly the contacts of each line, and as many as the line counts', async () => {
    const f = await funnel();
    for (const [line, members] of Object.entries(MEMBERS)) {
      const r = await drill(`line=${line}&${period()}`);
      expect(r.items.map((c) => c.id).sort(), line).toEqual(idsOf(members));
      expect(r.total, line).toBe(countOf(f, line as FunnelLine));
    }
    for (const l of f.lines.filter((x) => x.line === 'referred_kind')) {
      const r = await drill(`line=referred_kind&kind=${l.kind}&${period()}`);
      expect(r.items.map((c) => c.id).sort(), l.kind ?? '').toEqual(idsOf(KIND_MEMBERS[l.kind ?? ''] ?? []));
      expect(r.total).toBe(l.count);
    }
  });

  it('traces the reach rate by attempt number: one attempt k per contact', async () => {
    const f = await funnel();
    for (const r of f.reachByAttempt) {
      expect((await drill(`line=phone_attempt&attemptNo=${r.attemptNo}&${period()}`)).total).toBe(r.attempts);
      expect((await drill(`line=phone_attempt_reached&attemptNo=${r.attemptNo}&${period()}`)).total).toBe(r.reached);
    }
    const second = await drill(`line=phone_attempt&attemptNo=2&${period()}`);
    expect(second.items.map((c) => c.id).sort()).toEqual(idsOf(['un1', 'un2', 'rf2', 'ch2', 'ch4']));
  });

  it('pages, oldest received first, with pseudonymous references and no identifying data', async () => {
    const page1 = await coordinator.request('GET', `${base()}/funnel/contacts?line=received&${period()}&pageSize=5`);
    const page2 = await coordinator.request('GET', `${base()}/funnel/contacts?line=received&${period()}&pageSize=5&page=2`);
    expect(page1.json()).toMatchObject({ total: 19, page: 1, pageSize: 5 });
    expect(page1.json().items[0]).toMatchObject({
      id: world.contacts.E1,
      ref: expect.stringMatching(/^C-[0-9A-F]{6}$/),
      dossierRef: expect.stringMatching(/^D-/),
    });
    const ids = (r: typeof page1) => r.json().items.map((c: { id: string }) => c.id);
    const keys = (k: ContactKey[]) => k.map((x) => world.contacts[x]);
    expect(ids(page1)).toEqual(keys(['E1', 'ni1', 'ni2', 'un1', 'un2']));
    expect(ids(page2)).toEqual(keys(['rf1', 'rf2', 'ch1', 'ch2', 'ch3']));
    for (const text of world.plaintexts) expect(page1.body + page2.body).not.toContain(text);
  });

  it('asks for the kind or the attempt number where a line needs it', async () => {
    const r = await coordinator.request('GET', `${base()}/funnel/contacts?line=referred_kind&${period()}`);
    expect(r.statusCode).toBe(400);
    expect(r.json().errors[0]).toMatchObject({ field: 'query.kind', code: 'required' });
    const a = await coordinator.request('GET', `${base()}/funnel/contacts?line=phone_attempt&${period()}`);
    expect(a.json().errors[0]).toMatchObject({ field: 'query.attemptNo', code: 'required' });
  });
});

describe('exports', () => {
  const HOSTILE = '=HYPERLINK("http://example.invalid/steal","Genk")';

  beforeAll(async () => {
    await s.database.db.updateTable('programmes').set({ name: HOSTILE }).where('id', '=', world.programmeId).execute();
  });

  it('CSV: labels in the user’s language, the period and filters, the counts, neutralised cells', async () => {
    const r = await coordinator.request('GET', `${base()}/funnel.csv?${period(`&nisCode=${AS.nisCode}`)}`, undefined, { 'accept-language': 'nl-BE' });
    expect(r.statusCode, r.body).toBe(200);
    expect(r.headers['content-type']).toContain('text/csv');
    expect(r.headers['content-disposition']).toBe(`attachment; filename="funnel-${world.slug}-2025-01-01-2025-03-31-71002.csv"`);
    expect(r.body.startsWith('\uFEFF')).toBe(true);
    const rows = parseCsv(r.body.slice(1), { delimiter: ';', relax_column_count: true }) as string[][];
    expect(rows[0]).toEqual(['Trechter van de outreach']);
    expect(rows[1]).toEqual(['Programma', `'${HOSTILE}`]);
    expect(rows[2]).toEqual(['Periode', '01/01/2025', '31/03/2025']);
    expect(rows[3]).toEqual(['Gemeente', 'As (71002)']);
    const line = (label: string) => rows.find((x) => x[0] === label);
    expect(line('Contactgegevens ontvangen')?.[2]).toBe('3');
    expect(line('Onbereikbaar na 3 pogingen')?.slice(1, 3)).toEqual(['Contactgegevens ontvangen', '1']);
    expect(line('Doorverwezen naar: CAW')?.[2]).toBe('1');
    expect(line('Doorverwezen naar: CAW')?.[3]).toContain('telt eenmaal bij elke soort');
    // Reach rate of attempt 3 in As: 1 of 2, with a decimal comma.
    expect(rows.find((x) => x[0] === '3' && x.length === 4)).toEqual(['3', '2', '1', '50']);
    for (const row of rows) for (const cell of row) expect(/^[=+\-@]/.test(cell), cell).toBe(false);
  });

  it('CSV in French with the `lang` parameter, with a decimal comma', async () => {
    const r = await coordinator.request('GET', `${base()}/funnel.csv?${period()}&lang=fr`);
    const rows = parseCsv(r.body.slice(1), { delimiter: ';', relax_column_count: true }) as string[][];
    expect(rows[0]).toEqual(['Entonnoir de l’outreach']);
    expect(rows.find((x) => x[0] === 'Pas joignables après 3 tentatives')?.[2]).toBe('2');
    expect(rows.find((x) => x[0] === '3' && x.length === 4)).toEqual(['3', '3', '1', '33,3']);
    expect(rows.find((x) => x[0] === 'Soir (à partir de 18:00)')).toEqual(['Soir (à partir de 18:00)', '7', '3', '42,9']);
  });

  it('XLSX: the same table, numbers as numbers, neutralised strings', async () => {
    const r = await coordinator.request('GET', `${base()}/funnel.xlsx?${period()}&lang=en`);
    expect(r.statusCode).toBe(200);
    expect(r.headers['content-type']).toContain('spreadsheetml');
    expect(r.headers['content-disposition']).toContain(`funnel-${world.slug}-2025-01-01-2025-03-31.xlsx`);
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(r.rawPayload as unknown as ArrayBuffer);
    const ws = wb.worksheets[0] as ExcelJS.Worksheet;
    expect(ws.name).toBe('Funnel');
    expect(ws.getCell('A1').value).toBe('Outreach funnel');
    expect(ws.getCell('B2').value).toBe(`'${HOSTILE}`);
    expect(ws.getCell('B4').value).toBe('All municipalities');
    const values: unknown[][] = [];
    ws.eachRow((row) => {
      values.push((row.values as unknown[]).slice(1));
    });
    expect(values.find((v) => v[0] === 'Contact data received')?.[2]).toBe(19);
    expect(values.find((v) => v[0] === 'Escalated')?.[2]).toBe(2);
    expect(values.find((v) => v[0] === 'Evening (from 18:00)')).toEqual(['Evening (from 18:00)', 7, 3, 42.9]);
    ws.eachRow((row) => {
      row.eachCell((c) => {
        if (typeof c.value === 'string') expect(/^[=+\-@]/.test(c.value)).toBe(false);
      });
    });
  });
});

describe('who sees what', () => {
  it('the analyst reads the funnel and its exports, never the contacts behind it', async () => {
    expect((await analyst.request('GET', `${base()}/funnel?${period()}`)).statusCode).toBe(200);
    expect((await analyst.request('GET', `${base()}/funnel.csv?${period()}`)).statusCode).toBe(200);
    expect((await analyst.request('GET', `${base()}/funnel.xlsx?${period()}`)).statusCode).toBe(200);
    expect((await analyst.request('GET', `${base()}/funnel/contacts?line=received&${period()}`)).statusCode).toBe(403);
    expect((await analyst.request('GET', `${base()}/contacts`)).statusCode).toBe(403);
    expect((await analyst.request('GET', `${base()}/contacts/${world.contacts.ch1}/referrals`)).statusCode).toBe(403);
  });

  it('callers, police liaisons and facilitators get no funnel; another programme’s coordinator gets 404', async () => {
    for (const who of [caller, liaison, facilitator]) {
      expect((await who.request('GET', `${base()}/funnel?${period()}`)).statusCode).toBe(403);
      expect((await who.request('GET', `${base()}/funnel.csv?${period()}`)).statusCode).toBe(403);
      expect((await who.request('GET', `${base()}/funnel/contacts?line=received&${period()}`)).statusCode).toBe(403);
    }
    expect((await otherCoordinator.request('GET', `${base()}/funnel?${period()}`)).statusCode).toBe(404);
    expect((await otherCoordinator.request('GET', `${base()}/funnel/contacts?line=received&${period()}`)).statusCode).toBe(404);
  });
});

describe('a live funnel, unchanged by the purge', () => {
  it('moves when a referral is made through the API', async () => {
    const before = await funnel();
    const r = await coordinator.request('POST', `${base()}/contacts/${world.contacts.ch3}/referrals`, { serviceId: world.services.gp, status: 'accepted' });
    expect(r.statusCode, r.body).toBe(201);
    const after = await funnel();
    expect(countOf(after, 'referred')).toBe((countOf(before, 'referred') ?? 0) + 1);
    expect(countOf(after, 'not_referred')).toBe((countOf(before, 'not_referred') ?? 0) - 1);
    expect(countOf(after, 'referred_kind', 'gp')).toBe(1);
    expect(countOf(after, 'received')).toBe(countOf(before, 'received'));
    const declined = await coordinator.request('PATCH', `${base()}/contacts/${world.contacts.ch3}/referrals/${r.json().id}`, { status: 'declined' });
    expect(declined.statusCode, declined.body).toBe(200);
    expect(await funnel()).toEqual(before);
  });

  it('gives the same figures, lines and drill-downs after the retention purge', async () => {
    const db = s.database.db;
    const queries = [period(), period(`&nisCode=${AS.nisCode}`), 'from=2020-01-01&to=2030-12-31'];
    const before = await Promise.all(queries.map((q) => funnel(coordinator, q)));
    const drilledBefore = await drill(`line=conversation_held&${period()}`);
    const vaultBefore = await db.selectFrom('contact_identities').select('contact_id').where('contact_id', 'in', Object.values(world.contacts)).execute();
    const sealedNotes = async () =>
      Number(
        (
          await db
            .selectFrom('attempts')
            .select((eb) => eb.fn.countAll<number>().as('n'))
            .where('contact_id', 'in', Object.values(world.contacts))
            .where('note', 'is not', null)
            .executeTakeFirstOrThrow()
        ).n,
      );
    const notesBefore = await sealedNotes();
    // As `haven purge` and the daily jobs do: the referrals vault and what outreach sealed, together.
    const { result, outreach } = await db.transaction().execute(async (tx) => {
      const opts = { now: world.afterRetention, actor: SYSTEM_ACTOR };
      return { result: await purgeIn(tx, opts), outreach: await purgeOutreachVault(tx, opts) };
    });
    expect(result.contacts).toBeGreaterThanOrEqual(14);
    // The notes of closed contacts are gone; those of open ones (ro1, ro2, op2) stay.
    expect(await sealedNotes()).toBe(3);
    expect(outreach.attempts).toBe(notesBefore - 3);
    expect(outreach.conversations).toBeGreaterThan(0);
    expect(outreach.escalations).toBe(2);
    const vaultAfter = await db.selectFrom('contact_identities').select('contact_id').where('contact_id', 'in', Object.values(world.contacts)).execute();
    // Every closed contact of the world lost its identity; the open ones kept theirs.
    expect(vaultAfter.length).toBe(vaultBefore.length - result.contactIds.filter((id) => Object.values(world.contacts).includes(id)).length);
    expect(vaultAfter.map((r) => r.contact_id).sort()).toEqual(idsOf(['ro1', 'ro2', 'op1', 'op2', 'E1', 'E2', 'E4']));
    const after = await Promise.all(queries.map((q) => funnel(coordinator, q)));
    expect(after).toEqual(before);
    expect(await drill(`line=conversation_held&${period()}`)).toEqual(drilledBefore);
  });
});
