/**
 * Importing police exports through the API, end to end on a real database: the two real samples
 * (Dutch with semicolons, French with commas), re-import, the vault at rest, who sees what, and
 * bad files that must leave the database untouched.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse as parseCsv } from 'csv-parse/sync';
import ExcelJS from 'exceljs';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Session, TestServer } from '../../testing/server.ts';
import { testServer } from '../../testing/server.ts';
import { activeProtocol, policeZone } from './testing.ts';

const FIXTURES = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../test/fixtures/police');
const CARMA = readFileSync(path.join(FIXTURES, 'police-export-carma.csv'));
const NAMUR = readFileSync(path.join(FIXTURES, 'police-export-namur-fr.csv'));

const GENK_PROJECT = [
  ['71016', 'Genk'],
  ['71002', 'As'],
  ['72003', 'Bocholt'],
  ['72004', 'Bree'],
  ['72039', 'Houthalen-Helchteren'],
  ['72018', 'Kinrooi'],
  ['72042', 'Oudsbergen'],
  ['71067', 'Zutendaal'],
] as const;

let s: TestServer;
let programmeId: string;
let otherProgrammeId: string;
let zone: string;
let coordinator: Session;
let liaison: Session;
let liaisonUserId: string;
let otherCoordinator: Session;

const base = () => `/api/programmes/${programmeId}`;

async function tableCounts() {
  const db = s.database.db;
  const n = async (t: 'imports' | 'import_rows' | 'dossiers' | 'contacts' | 'contact_identities' | 'dossier_identities') =>
    Number((await db.selectFrom(t).select(sql<number>`count(*)::int`.as('n')).executeTakeFirstOrThrow()).n);
  return {
    imports: await n('imports'),
    rows: await n('import_rows'),
    dossiers: await n('dossiers'),
    contacts: await n('contacts'),
    identities: await n('contact_identities'),
    pvs: await n('dossier_identities'),
  };
}

/** inspect → start with the suggested mapping → send the file: the previewed import. */
async function preview(session: Session, file: Buffer, fileName: string, extra: Record<string, unknown> = {}) {
  const inspected = await session.request('POST', `${base()}/imports/inspect?fileName=${encodeURIComponent(fileName)}`, file, { 'content-type': 'text/csv' });
  expect(inspected.statusCode, inspected.body).toBe(200);
  const started = await session.request('POST', `${base()}/imports`, { fileName, columns: inspected.json().suggested, ...extra });
  expect(started.statusCode, started.body).toBe(201);
  const sent = await session.request('PUT', `${base()}/imports/${started.json().id}/file`, file, { 'content-type': 'text/csv' });
  return { inspected: inspected.json(), started: started.json(), sent };
}

beforeAll(async () => {
  s = await testServer();
  const db = s.database.db;
  const p = await s.createProgramme();
  programmeId = p.programmeId;
  await db
    .insertInto('project_municipalities')
    .values(GENK_PROJECT.map(([nis, name]) => ({ project_id: p.projectId, nis_code: nis, name })))
    .execute();
  otherProgrammeId = (await s.createProgramme()).programmeId;
  zone = await policeZone(db, 'PZ Carma');
  await activeProtocol(db, { programmeId, senderOrganisationId: zone, receiverOrganisationId: s.organisationId });
  await activeProtocol(db, { programmeId: otherProgrammeId, senderOrganisationId: zone, receiverOrganisationId: s.organisationId });
  coordinator = await s.signIn(await s.createUser([{ role: 'coordinator', programmeId }]));
  const liaisonUser = await s.createUser([{ role: 'police_liaison', programmeId }], { organisationId: zone });
  liaisonUserId = liaisonUser.id;
  liaison = await s.signIn(liaisonUser);
  otherCoordinator = await s.signIn(await s.createUser([{ role: 'coordinator', programmeId: otherProgrammeId }]));
});
afterAll(() => s.close());

describe('importing the Dutch sample (Carma)', () => {
  let importId: string;

  it('suggests the mapping from the Dutch headers', async () => {
    const r = await coordinator.request('POST', `${base()}/imports/inspect?fileName=carma.csv`, CARMA, { 'content-type': 'text/csv' });
    expect(r.statusCode, r.body).toBe(200);
    const body = r.json();
    expect(body).toMatchObject({ format: 'csv', encoding: 'utf-8', delimiter: ';' });
    expect(body.suggested).toMatchObject({
      pv_number: 'PV-nummer',
      last_name: 'Naam',
      first_name: 'Voornaam',
      mobile: 'GSM',
      colour: 'Kleurcode',
      language: 'Taal',
    });
    expect(body.missingRequired).toEqual([]);
  });

  it('previews without writing a dossier: accepted, warnings per field, rows set aside with their reason', async () => {
    const before = await tableCounts();
    const { sent } = await preview(coordinator, CARMA, 'police-export-carma.csv', { saveMappingAs: 'Carma standaard' });
    expect(sent.statusCode, sent.body).toBe(200);
    const imp = sent.json();
    importId = imp.id;
    expect(imp.status).toBe('previewed');
    expect(imp.format).toBe('csv');
    expect(imp.rowsRead).toBe(280);
    const c = imp.counts;
    expect(c.rows).toBe(280);
    // Row without a PV number, and the six orange rows, are set aside; orange go to the separate list.
    expect(c.setAside.no_pv_number).toBe(1);
    expect(c.setAside.orange).toBe(6);
    // Four persons appear twice under the same PV number (an independent count of the file agrees).
    expect(c.setAside.duplicate_in_file).toBe(4);
    expect(c.accepted).toBe(269);
    expect(c.accepted + Object.values(c.setAside as Record<string, number>).reduce((a, b) => a + b, 0)).toBe(280);
    // Accepted with a warning: the field is left empty, the row kept.
    expect(c.withWarnings).toBe(16);
    expect(c.warnings).toEqual({ phone_unusable: 15, date_impossible: 1 });
    // 269 green contacts + 6 orange ones (for the separate list), in 140 dossiers (one per PV number).
    expect(c.contacts).toBe(275);
    expect(c.dossiers).toBe(140);
    // Contacts without any usable number are still contacts, flagged.
    expect(c.withoutPhone).toBe(22);
    // Nothing is a dossier or a contact before the commit.
    const after = await tableCounts();
    expect(after.dossiers).toBe(before.dossiers);
    expect(after.contacts).toBe(before.contacts);
  });

  it('lists the set-aside rows with the reason and the PV number, and writes the read to the audit trail', async () => {
    const r = await coordinator.request('GET', `${base()}/imports/${importId}/rows?outcome=set_aside&pageSize=100`);
    expect(r.statusCode).toBe(200);
    const rows = r.json().items as { rowNo: number; reason: string; pvNumber: string | null }[];
    expect(rows.find((x) => x.reason === 'no_pv_number')?.pvNumber).toBeNull();
    expect(rows.filter((x) => x.reason === 'orange').every((x) => /^HA\.55\.L7\./.test(x.pvNumber ?? ''))).toBe(true);
    const audit = await s.database.db.selectFrom('audit_events').select('action').where('record_id', '=', importId).execute();
    expect(audit.map((a) => a.action)).toEqual(expect.arrayContaining(['import.start', 'import.preview', 'import.rows_read']));
  });

  it('gives a CSV report of every set-aside row and warning, translated, spreadsheet-safe', async () => {
    const r = await coordinator.request('GET', `${base()}/imports/${importId}/report.csv`, undefined, { 'accept-language': 'nl' });
    expect(r.statusCode).toBe(200);
    expect(r.headers['content-type']).toContain('text/csv');
    const lines = r.body
      .replace(/^\uFEFF/, '')
      .trim()
      .split(/\r?\n/);
    expect(lines[0]).toContain('Rij');
    expect(lines.filter((l) => l.includes('Geen PV-nummer'))).toHaveLength(1);
    expect(lines.filter((l) => l.includes('Oranje dossier'))).toHaveLength(6);
    for (const l of lines) expect(l).not.toMatch(/(^|[;,])"?[=+@]/);
  });

  it('names the report after a file whose name is not Latin-1, in ASCII and in full (RFC 6266)', async () => {
    const { started, sent } = await preview(coordinator, CARMA, 'export-Şanlıurfa.csv');
    expect(sent.statusCode, sent.body).toBe(200);
    const r = await coordinator.request('GET', `${base()}/imports/${started.id}/report.csv`);
    expect(r.statusCode, r.body).toBe(200);
    expect(r.headers['content-disposition']).toBe(
      `attachment; filename="export-_anl_urfa-report.csv"; filename*=UTF-8''${encodeURIComponent('export-Şanlıurfa-report.csv')}`,
    );
    expect((await coordinator.request('POST', `${base()}/imports/${started.id}/discard`)).statusCode).toBe(204);
  });

  it('commits all accepted rows as dossiers and contacts, orange ones on the separate list', async () => {
    const r = await coordinator.request('POST', `${base()}/imports/${importId}/commit`);
    expect(r.statusCode, r.body).toBe(200);
    const imp = r.json();
    expect(imp.status).toBe('committed');
    const counts = await tableCounts();
    expect(counts.contacts).toBe(imp.counts.contacts);
    expect(counts.identities).toBe(counts.contacts);
    expect(counts.dossiers).toBe(imp.counts.dossiers);
    expect(counts.pvs).toBe(counts.dossiers);
    // Persons sharing a PV number are one dossier: 140 PV numbers in the file.
    expect(counts.dossiers).toBe(140);
    expect(counts.contacts).toBe(275);
    const orange = await coordinator.request('GET', `${base()}/dossiers?colour=orange&pageSize=100`);
    expect(orange.json().total).toBeGreaterThan(0);
    expect((orange.json().items as { colour: string }[]).every((d) => d.colour === 'orange')).toBe(true);
    const genk = await coordinator.request('GET', `${base()}/dossiers?nisCode=71016&pageSize=100`);
    expect(genk.json().total).toBeGreaterThan(0);
    expect((genk.json().items as { municipality: string }[]).every((d) => d.municipality === 'Genk')).toBe(true);
    // A second commit of the same import is refused.
    const again = await coordinator.request('POST', `${base()}/imports/${importId}/commit`);
    expect(again.statusCode).toBe(409);
  });

  it('normalises what it stores: phone in E.164, names cased, language as ISO code (read through the audited vault)', async () => {
    const contacts = await coordinator.request('GET', `${base()}/contacts?pageSize=100`);
    const all = contacts.json().items as { id: string; language: string | null; hasPhone: boolean }[];
    expect(new Set(all.map((c) => c.language).filter(Boolean))).toEqual(expect.any(Set));
    expect(all.every((c) => c.language === null || /^[a-z]{2}$/.test(c.language))).toBe(true);
    const withPhone = all.find((c) => c.hasPhone) as { id: string };
    const r = await coordinator.request('POST', `${base()}/contacts/${withPhone.id}/identity`, { purpose: 'preparing the first call' });
    expect(r.statusCode, r.body).toBe(200);
    const id = r.json().identity;
    expect(id.mobile ?? id.phone).toMatch(/^\+32\d{8,9}$/);
    expect(id.lastName).toMatch(/^\p{Lu}/u);
    expect(id.lastName).not.toMatch(/^\s|\s$/);
    const audit = await s.database.db.selectFrom('audit_events').select(['action', 'purpose']).where('record_id', '=', withPhone.id).execute();
    expect(audit).toContainEqual({ action: 'contact.identity_read', purpose: 'preparing the first call' });
  });

  it('keeps no name or phone number in clear in any table', async () => {
    const db = s.database.db;
    const dump = JSON.stringify([
      await db.selectFrom('contact_identities').selectAll().execute(),
      await db.selectFrom('dossier_identities').selectAll().execute(),
      await db.selectFrom('import_rows').selectAll().execute(),
      await db.selectFrom('contacts').selectAll().execute(),
      await db.selectFrom('dossiers').selectAll().execute(),
      await db.selectFrom('audit_events').selectAll().execute(),
    ]);
    for (const plain of [
      'Fatima',
      'Maes',
      'Özdemir',
      'El Amrani',
      'EL AMRANI',
      '486251262',
      '+32486251262',
      '0485276211',
      'HA.55.L7.085320/2024',
      'Winterslag',
      'Discussie over geld',
    ]) {
      expect(dump).not.toContain(plain);
    }
  });

  it('creates nothing twice when the same export comes again, and says how many rows were known', async () => {
    const before = await tableCounts();
    const { sent } = await preview(coordinator, CARMA, 'police-export-carma (1).csv', { mappingName: undefined });
    const imp = sent.json();
    expect(imp.counts.setAside.already_imported).toBe(275);
    expect(imp.counts.dossiers).toBe(0);
    expect(imp.counts.accepted).toBe(0);
    const r = await coordinator.request('POST', `${base()}/imports/${imp.id}/commit`);
    expect(r.statusCode).toBe(200);
    const after = await tableCounts();
    expect(after.dossiers).toBe(before.dossiers);
    expect(after.contacts).toBe(before.contacts);
  });
});

describe('importing the French sample (Namur) with a saved mapping of another sender', () => {
  it('reads commas, French headers and French values', async () => {
    const r = await coordinator.request('POST', `${base()}/imports/inspect?fileName=namur.csv`, NAMUR, { 'content-type': 'text/csv' });
    expect(r.statusCode, r.body).toBe(200);
    expect(r.json()).toMatchObject({ delimiter: ',', suggested: { pv_number: 'Numéro PV', last_name: 'Nom', colour: 'Code couleur' } });
    const { sent } = await preview(coordinator, NAMUR, 'namur.csv');
    expect(sent.statusCode, sent.body).toBe(200);
    const c = sent.json().counts;
    expect(c.rows).toBe(122);
    expect(c.setAside).toEqual({ orange: 4, no_pv_number: 1, duplicate_in_file: 3 });
    expect(c.accepted).toBe(114);
    expect(c.warnings).toMatchObject({ phone_unusable: 11, date_impossible: 1 });
    // Namur is not a municipality of this project: kept, with a warning.
    expect(c.warnings.municipality_unknown).toBeGreaterThan(0);
    const discard = await coordinator.request('POST', `${base()}/imports/${sent.json().id}/discard`);
    expect(discard.statusCode).toBe(204);
  });
});

describe('who sees what', () => {
  it('lets the police liaison upload for their own zone and see the status and counts of their imports, nothing else', async () => {
    const { sent } = await preview(liaison, NAMUR, 'namur-liaison.csv');
    expect(sent.statusCode, sent.body).toBe(200);
    const list = await liaison.request('GET', `${base()}/imports`);
    expect(list.statusCode).toBe(200);
    const items = list.json().items as { uploadedBy: string; counts: unknown }[];
    expect(items.length).toBeGreaterThan(0);
    expect(items.every((i) => i.uploadedBy === liaisonUserId)).toBe(true);
    expect((await liaison.request('GET', `${base()}/dossiers`)).statusCode).toBe(403);
    expect((await liaison.request('GET', `${base()}/contacts`)).statusCode).toBe(403);
    const coordinatorsImport = (await coordinator.request('GET', `${base()}/imports`))
      .json()
      .items.find((i: { uploadedBy: string }) => i.uploadedBy !== liaisonUserId);
    expect((await liaison.request('GET', `${base()}/imports/${coordinatorsImport.id}`)).statusCode).toBe(404);
    // Naming another sender is refused.
    const other = await liaison.request('POST', `${base()}/imports`, {
      fileName: 'x.csv',
      senderOrganisationId: s.organisationId,
      columns: { pv_number: 'x' },
    });
    expect(other.statusCode).toBe(400);
    expect(other.json().errors[0].field).toBe('senderOrganisationId');
  });

  it('answers 404 to a coordinator of another programme', async () => {
    const list = await coordinator.request('GET', `${base()}/imports`);
    const one = list.json().items[0].id;
    expect((await otherCoordinator.request('GET', `${base()}/imports/${one}`)).statusCode).toBe(404);
    expect((await otherCoordinator.request('GET', `${base()}/dossiers`)).statusCode).toBe(404);
    const foreign = await otherCoordinator.request('GET', `/api/programmes/${otherProgrammeId}/dossiers`);
    expect(foreign.json().total).toBe(0);
  });
});

describe('bad input leaves the database untouched, with a clear message', () => {
  const cases: [string, Buffer, string][] = [
    ['an empty file', Buffer.alloc(0), 'file_empty'],
    ['a header only', Buffer.from('PV-nummer;Naam;Voornaam;Kleurcode\n'), 'file_header_only'],
    [
      'a PNG renamed .csv',
      Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 0x0d, 0x49, 0x48, 0x44, 0x52, 0, 0, 1, 0, 0, 0, 1, 0, 8, 2, 0, 0, 0]),
      'file_binary',
    ],
    ['10,000 columns', Buffer.from(`${Array.from({ length: 10_000 }, (_, i) => `c${i}`).join(';')}\n${'x;'.repeat(9_999)}x\n`), 'file_too_many_columns'],
    [
      'mixed delimiters',
      Buffer.from('PV-nummer;Naam;Voornaam;Kleurcode\nA1;Maes;An;Groen\nA2,Peeters,Jan,Groen\nA3,Jacobs,Els,Groen\n'),
      'file_mixed_delimiters',
    ],
  ];
  for (const [what, file, code] of cases) {
    it(`refuses ${what}`, async () => {
      const before = await tableCounts();
      const started = await coordinator.request('POST', `${base()}/imports`, {
        fileName: 'bad.csv',
        columns: { pv_number: 'PV-nummer', last_name: 'Naam', first_name: 'Voornaam', colour: 'Kleurcode' },
      });
      expect(started.statusCode).toBe(201);
      const r = await coordinator.request('PUT', `${base()}/imports/${started.json().id}/file`, file, { 'content-type': 'text/csv', 'accept-language': 'fr' });
      expect(r.statusCode).toBe(400);
      expect(r.headers['content-type']).toContain('application/problem+json');
      const err = r.json().errors[0];
      expect(err).toMatchObject({ field: 'file', code });
      expect(err.message).not.toMatch(/errors:|file_/); // a translated sentence, not a key
      expect(await tableCounts()).toEqual({ ...before, imports: before.imports });
    });
  }

  it('refuses a mapping that misses a required column, naming it', async () => {
    const before = await tableCounts();
    const r = await coordinator.request('POST', `${base()}/imports`, {
      fileName: 'x.csv',
      columns: { pv_number: 'PV-nummer', colour: 'Kleurcode', first_name: 'Voornaam' },
    });
    expect(r.statusCode).toBe(400);
    expect(r.json().errors).toEqual([expect.objectContaining({ field: 'columns.last_name', code: 'mapping_required' })]);
    expect(await tableCounts()).toEqual(before);
  });

  it('refuses a mapping whose column is not in the file', async () => {
    const before = await tableCounts();
    const started = await coordinator.request('POST', `${base()}/imports`, {
      fileName: 'x.csv',
      columns: { pv_number: 'PV-nummer', last_name: 'Familienaam', first_name: 'Voornaam', colour: 'Kleurcode' },
    });
    const r = await coordinator.request('PUT', `${base()}/imports/${started.json().id}/file`, CARMA, { 'content-type': 'text/csv' });
    expect(r.statusCode).toBe(400);
    expect(r.json().errors).toEqual([expect.objectContaining({ field: 'columns.last_name', code: 'header_missing' })]);
    expect(await tableCounts()).toEqual(before);
  });

  it('refuses an import without an active protocol, and audits the refusal', async () => {
    const unprotected = (await s.createProgramme()).programmeId;
    const c = await s.signIn(await s.createUser([{ role: 'coordinator', programmeId: unprotected }]));
    const before = await tableCounts();
    const r = await c.request('POST', `/api/programmes/${unprotected}/imports`, {
      fileName: 'x.csv',
      senderOrganisationId: zone,
      columns: { pv_number: 'a', last_name: 'b', first_name: 'c', colour: 'd' },
    });
    expect(r.statusCode).toBe(422);
    expect(r.json().code).toBe('no_active_protocol');
    expect(await tableCounts()).toEqual(before);
    const refusal = await s.database.db.selectFrom('audit_events').select('action').where('programme_id', '=', unprotected).execute();
    expect(refusal.map((a) => a.action)).toContain('import.refused');
  });

  it('refuses a file larger than the limit from its Content-Length, before reading it', async () => {
    const started = await coordinator.request('POST', `${base()}/imports`, {
      fileName: 'huge.csv',
      columns: { pv_number: 'PV-nummer', last_name: 'Naam', first_name: 'Voornaam', colour: 'Kleurcode' },
    });
    const r = await s.app.inject({
      method: 'PUT',
      url: `${base()}/imports/${started.json().id}/file`,
      headers: { cookie: coordinator.cookie, 'x-csrf-token': coordinator.csrf, 'content-type': 'text/csv', 'content-length': String(2 * 1024 ** 3) },
      payload: 'PV-nummer;Naam\n',
    });
    expect(r.statusCode).toBe(413);
    expect(r.json().code).toBe('file_too_large');
  });
});

describe('manual referral and closing', () => {
  it('enters one dossier by hand with the same normalisation, and refuses bad values field by field', async () => {
    const bad = await coordinator.request('POST', `${base()}/dossiers`, {
      senderOrganisationId: zone,
      dossier: { pv_number: 'HA.55.L7.999999/2025', municipality: 'Genk', colour: 'groen', facts_date: '31/02/2025' },
      persons: [{ last_name: 'Peeters', first_name: 'An', mobile: '12' }],
    });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().errors).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ field: 'dossier.facts_date', code: 'date_impossible' }),
        expect.objectContaining({ field: 'persons.0.mobile', code: 'phone_unusable' }),
      ]),
    );
    const ok = await coordinator.request('POST', `${base()}/dossiers`, {
      senderOrganisationId: zone,
      dossier: {
        pv_number: 'HA.55.L7.999999/2025',
        municipality: 'Genk',
        colour: 'groen',
        facts_date: '20/02/2025',
        relation: 'Partner',
        minors_present: 'Ja',
      },
      persons: [
        { last_name: '  PEETERS ', first_name: 'an', mobile: '0470 12 34 56', role: 'Slachtoffer', language: 'nederlands' },
        { last_name: 'Peeters', first_name: 'Jan', role: 'Verdachte' },
      ],
    });
    expect(ok.statusCode, ok.body).toBe(201);
    const d = ok.json();
    expect(d).toMatchObject({
      source: 'manual',
      colour: 'green',
      municipality: 'Genk',
      nisCode: '71016',
      relation: 'partner',
      minorsPresent: true,
      factsOn: '2025-02-20',
    });
    expect(d.persons).toHaveLength(2);
    const victim = d.persons.find((p: { role: string }) => p.role === 'victim');
    expect(d.persons.find((p: { role: string }) => p.role === 'suspect').hasPhone).toBe(false);
    const id = await coordinator.request('POST', `${base()}/contacts/${victim.id}/identity`, { purpose: 'checking the manual entry' });
    expect(id.json().identity).toMatchObject({ lastName: 'Peeters', firstName: 'An', mobile: '+32470123456' });
    const twice = await coordinator.request('POST', `${base()}/dossiers`, {
      senderOrganisationId: zone,
      dossier: { pv_number: 'HA.55.L7.999999/2025', colour: 'groen' },
      persons: [{ last_name: 'X', first_name: 'Y' }],
    });
    expect(twice.statusCode).toBe(409);
  });

  it('closes a contact without a usable number as not informed, which starts the retention clock', async () => {
    const list = await coordinator.request('GET', `${base()}/contacts?withoutPhone=true&status=open&pageSize=1`);
    const contact = list.json().items[0];
    expect(contact.hasPhone).toBe(false);
    const r = await coordinator.request('POST', `${base()}/contacts/${contact.id}/close`, { outcome: 'not_informed' });
    expect(r.statusCode, r.body).toBe(200);
    expect(r.json()).toMatchObject({ status: 'closed', outcome: 'not_informed' });
    const row = await s.database.db.selectFrom('contacts').select(['closed_at', 'retention_until']).where('id', '=', contact.id).executeTakeFirstOrThrow();
    const days = ((row.retention_until as Date).getTime() - (row.closed_at as Date).getTime()) / 86_400_000;
    expect(days).toBe(365);
    expect((await coordinator.request('POST', `${base()}/contacts/${contact.id}/close`, { outcome: 'letter_sent' })).statusCode).toBe(409);
  });
});

describe('importing an Excel export', () => {
  it('reads the same export saved as XLSX into the same preview as the CSV', async () => {
    // The Carma sample, as a police zone's spreadsheet program would save it.
    const workbook = new ExcelJS.Workbook();
    const sheet = workbook.addWorksheet('Export');
    const [header, ...rows] = parseCsv(CARMA, { delimiter: ';', bom: true, relax_column_count: true }) as string[][];
    sheet.addRow(header);
    for (const r of rows) sheet.addRow(r);
    const xlsx = Buffer.from(await workbook.xlsx.writeBuffer());
    const p = await s.createProgramme();
    await activeProtocol(s.database.db, { programmeId: p.programmeId, senderOrganisationId: zone, receiverOrganisationId: s.organisationId });
    const c = await s.signIn(await s.createUser([{ role: 'coordinator', programmeId: p.programmeId }]));
    const type = { 'content-type': 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet' };
    const url = `/api/programmes/${p.programmeId}/imports`;
    const inspected = await c.request('POST', `${url}/inspect?fileName=carma.xlsx`, xlsx, type);
    expect(inspected.statusCode, inspected.body).toBe(200);
    expect(inspected.json()).toMatchObject({ format: 'xlsx', encoding: null, delimiter: null, missingRequired: [] });
    const started = await c.request('POST', url, { fileName: 'carma.xlsx', columns: inspected.json().suggested });
    const sent = await c.request('PUT', `${url}/${started.json().id}/file`, xlsx, type);
    expect(sent.statusCode, sent.body).toBe(200);
    expect(sent.json().format).toBe('xlsx');
    expect(sent.json().counts).toMatchObject({
      rows: 280,
      accepted: 269,
      withWarnings: 16,
      contacts: 275,
      dossiers: 140,
      setAside: { orange: 6, no_pv_number: 1, duplicate_in_file: 4 },
    });
  });
});
