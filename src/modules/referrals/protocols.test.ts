/**
 * Data-sharing protocols through the API, on a real database: recording a draft, the checks on
 * its parties and fields, the signed PDF (refused when it is not one or too large, stored whole
 * when it is), what may change once signed, revocation, and what `findActiveProtocol` — the
 * import's gate — makes of each state. Every change leaves its audit row.
 */
import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Session, type TestServer, testServer } from '../../testing/server.ts';
import { PROTOCOL_DOCUMENT_MAX_BYTES } from './protocols.routes.ts';
import { brusselsToday, findActiveProtocol, protocolStatus, safePdfName } from './protocols.ts';
import { policeZone } from './testing.ts';

let s: TestServer;
let programmeId: string;
let otherProgrammeId: string;
let zone: string;
let city: string;
let coordinator: Session;
let otherCoordinator: Session;
let dpo: Session;

const base = (p = programmeId) => `/api/programmes/${p}/protocols`;
const PDF = Buffer.from('%PDF-1.7\n1 0 obj\n<< /Type /Catalog >>\nendobj\n% Protocol gegevensdeling PZ Carma – Veiligheidshuis\n%%EOF\n', 'latin1');
const sha = (b: Buffer | Uint8Array) => createHash('sha256').update(b).digest('hex');
const pdfHeaders = { 'content-type': 'application/pdf' };

/** A day relative to today in Brussels, yyyy-mm-dd. */
function day(offset: number): string {
  const d = new Date(`${brusselsToday()}T12:00:00Z`);
  d.setUTCDate(d.getUTCDate() + offset);
  return d.toISOString().slice(0, 10);
}

const valid = () => ({
  senderOrganisationId: zone,
  receiverOrganisationId: city,
  title: 'Protocol gegevensdeling groene dossiers',
  purpose: 'Proactieve contactname na een politie-interventie voor intrafamiliaal geweld.',
  legalBasis: 'penal_code_458ter',
  legalBasisText: 'Strafwetboek art. 458ter, casusoverleg',
  categories: ['contact', 'incident', 'identity', 'language', 'incident'],
  validFrom: day(-30),
  validTo: day(335),
  retentionDays: 365,
});

async function create(body: Record<string, unknown> = {}, session = coordinator, p = programmeId) {
  const r = await session.request('POST', base(p), { ...valid(), ...body });
  expect(r.statusCode, r.body).toBe(201);
  return r.json() as { id: string; status: string; [k: string]: unknown };
}

async function sign(id: string, file = PDF, p = programmeId) {
  const r = await coordinator.request('PUT', `${base(p)}/${id}/document?fileName=${encodeURIComponent('Protocol Carma (getekend).pdf')}`, file, pdfHeaders);
  expect(r.statusCode, r.body).toBe(200);
  return r.json();
}

async function storedDocument(id: string) {
  return s.database.db
    .selectFrom('protocols')
    .select(['document', 'document_sha256', 'document_size', 'document_name'])
    .where('id', '=', id)
    .executeTakeFirstOrThrow();
}

async function protocolCount() {
  return Number((await s.database.db.selectFrom('protocols').select(sql<number>`count(*)::int`.as('n')).executeTakeFirstOrThrow()).n);
}

async function auditOf(id: string) {
  return s.database.db
    .selectFrom('audit_events')
    .select(['action', 'record_type', 'programme_id', 'actor_user_id', 'details'])
    .where('record_id', '=', id)
    .orderBy('seq')
    .execute();
}

const active = (senderOrganisationId = zone, on = brusselsToday()) => findActiveProtocol(s.database.db, { programmeId, senderOrganisationId, on });

let coordinatorId: string;

beforeAll(async () => {
  s = await testServer();
  const db = s.database.db;
  programmeId = (await s.createProgramme()).programmeId;
  otherProgrammeId = (await s.createProgramme()).programmeId;
  zone = await policeZone(db, 'PZ Carma');
  city = s.organisationId;
  const user = await s.createUser([{ role: 'coordinator', programmeId }]);
  coordinatorId = user.id;
  coordinator = await s.signIn(user);
  otherCoordinator = await s.signIn(await s.createUser([{ role: 'coordinator', programmeId: otherProgrammeId }]));
  dpo = await s.signIn(await s.createUser('dpo'));
});
afterAll(() => s.close());

describe('recording a protocol', () => {
  it('creates a draft with its parties, lists it and reads it back, audited', async () => {
    const p = await create();
    expect(p).toMatchObject({
      programmeId,
      senderOrganisationId: zone,
      senderName: 'PZ Carma',
      receiverOrganisationId: city,
      title: 'Protocol gegevensdeling groene dossiers',
      legalBasis: 'penal_code_458ter',
      legalBasisText: 'Strafwetboek art. 458ter, casusoverleg',
      // each once, in the order of the closed list
      categories: ['incident', 'identity', 'contact', 'language'],
      validFrom: day(-30),
      validTo: day(335),
      retentionDays: 365,
      status: 'draft',
      document: null,
      revokedAt: null,
      createdBy: coordinatorId,
    });
    expect(p.receiverName).toMatch(/^Test city/);

    const list = await coordinator.request('GET', base());
    expect(list.statusCode).toBe(200);
    expect(list.json().items.map((x: { id: string }) => x.id)).toContain(p.id);
    const one = await coordinator.request('GET', `${base()}/${p.id}`);
    expect(one.statusCode).toBe(200);
    expect(one.json()).toEqual(p);

    const rows = await auditOf(p.id);
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ action: 'protocol.create', record_type: 'protocol', programme_id: programmeId, actor_user_id: coordinatorId });
  });

  it('accepts an open end (until revoked) and the legal basis "other" with its text', async () => {
    const p = await create({ validTo: null, legalBasis: 'other', legalBasisText: 'Samenwerkingsakkoord van 12/03/2023', categories: ['incident'] });
    expect(p).toMatchObject({ validTo: null, legalBasis: 'other', categories: ['incident'] });
  });

  it('refuses bad fields one by one, naming each, and writes nothing', async () => {
    const before = await protocolCount();
    const bad = await coordinator.request('POST', base(), {
      ...valid(),
      title: 'x',
      purpose: 'short',
      legalBasis: 'gdpr_6_1_f',
      categories: ['incident', 'religion'],
      validFrom: '31/12/2024',
      retentionDays: 3651,
      colour: 'green',
    });
    expect(bad.statusCode).toBe(400);
    expect(bad.headers['content-type']).toContain('application/problem+json');
    const errors = bad.json().errors as { field: string; code: string; message: string }[];
    const byField = Object.fromEntries(errors.map((e) => [e.field, e.code]));
    expect(byField).toMatchObject({
      title: 'too_small',
      purpose: 'too_small',
      legalBasis: 'invalid_value',
      'categories.1': 'invalid_value',
      validFrom: 'invalid_format',
      retentionDays: 'too_big',
      colour: 'unknown_field',
    });
    expect(errors.find((e) => e.field === 'retentionDays')?.message).toBe('Must be at most 3650.');

    const missing = await coordinator.request('POST', base(), { ...valid(), senderOrganisationId: undefined, retentionDays: -1 });
    expect(missing.json().errors).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ field: 'senderOrganisationId', code: 'required' }),
        expect.objectContaining({ field: 'retentionDays', code: 'too_small' }),
      ]),
    );

    // Rules across fields, once every field is right on its own.
    const noIncident = await coordinator.request('POST', base(), { ...valid(), categories: ['identity', 'contact'] });
    expect(noIncident.json().errors).toEqual([expect.objectContaining({ field: 'categories', code: 'incident_required' })]);
    const backwards = await coordinator.request('POST', base(), { ...valid(), validFrom: '2025-06-01', validTo: '2025-05-31' });
    expect(backwards.json().errors).toEqual([
      expect.objectContaining({ field: 'validTo', code: 'ends_before_start', message: 'The end date is before the start date.' }),
    ]);
    const other = await coordinator.request('POST', base(), { ...valid(), legalBasis: 'other', legalBasisText: '   ' });
    expect(other.json().errors).toEqual([expect.objectContaining({ field: 'legalBasisText', code: 'required' })]);

    expect(await protocolCount()).toBe(before);
  });

  it('refuses a sender that is not a police zone, and inactive, unknown or identical parties', async () => {
    const before = await protocolCount();
    const cityAsSender = await coordinator.request('POST', base(), { ...valid(), senderOrganisationId: city });
    expect(cityAsSender.statusCode).toBe(400);
    expect(cityAsSender.json().errors).toEqual([
      { field: 'senderOrganisationId', code: 'sender_not_police_zone', message: 'The sending organisation must be a police zone.' },
    ]);

    const closed = await s.database.db
      .insertInto('organisations')
      .values({ name: 'CAW Opgeheven', kind: 'caw', nis_code: null, active: false })
      .returning('id')
      .executeTakeFirstOrThrow();
    const inactive = await coordinator.request('POST', base(), { ...valid(), receiverOrganisationId: closed.id });
    expect(inactive.json().errors).toEqual([expect.objectContaining({ field: 'receiverOrganisationId', code: 'organisation_inactive' })]);

    const unknown = await coordinator.request('POST', base(), { ...valid(), receiverOrganisationId: '00000000-0000-4000-8000-000000000000' });
    expect(unknown.json().errors).toEqual([expect.objectContaining({ field: 'receiverOrganisationId', code: 'unknown_reference' })]);

    const itself = await coordinator.request('POST', base(), { ...valid(), receiverOrganisationId: zone });
    expect(itself.json().errors).toEqual([expect.objectContaining({ field: 'receiverOrganisationId', code: 'receiver_is_sender' })]);

    // In the user's language.
    const nl = await coordinator.request('POST', base(), { ...valid(), senderOrganisationId: city }, { 'accept-language': 'nl-BE' });
    expect(nl.json().errors[0].message).toBe('De verzendende organisatie moet een politiezone zijn.');
    expect(await protocolCount()).toBe(before);
  });
});

describe('the signed document', () => {
  it('stores the PDF whole: same SHA-256 back, as an attachment that is never sniffed', async () => {
    const p = await create();
    const signed = await sign(p.id);
    expect(signed).toMatchObject({ status: 'active', document: { name: 'Protocol Carma (getekend).pdf', size: PDF.length, sha256: sha(PDF) } });

    const r = await coordinator.request('GET', `${base()}/${p.id}/document`);
    expect(r.statusCode).toBe(200);
    expect(r.headers['content-type']).toBe('application/pdf');
    expect(r.headers['content-disposition']).toMatch(/^attachment; filename="Protocol Carma \(getekend\)\.pdf"/);
    expect(r.headers['x-content-type-options']).toBe('nosniff');
    expect(r.headers['cache-control']).toBe('no-store');
    expect(sha(r.rawPayload)).toBe(sha(PDF));

    // The DPO reads every programme's protocols, documents included.
    const viaDpo = await dpo.request('GET', `${base()}/${p.id}/document`);
    expect(viaDpo.statusCode).toBe(200);
    expect(sha(viaDpo.rawPayload)).toBe(sha(PDF));

    const audit = (await auditOf(p.id)).map((a) => a.action);
    expect(audit).toEqual(['protocol.create', 'protocol.document_upload']);
    expect((await auditOf(p.id))[1]?.details).toMatchObject({ sha256: sha(PDF), size: PDF.length });
  });

  it('refuses bytes that are not a PDF, whatever the content type said, and stores nothing', async () => {
    const p = await create();
    const html = await coordinator.request('PUT', `${base()}/${p.id}/document`, Buffer.from('<html><script>alert(1)</script></html>'), pdfHeaders);
    expect(html.statusCode).toBe(415);
    expect(html.json().code).toBe('document_not_pdf');
    const empty = await coordinator.request('PUT', `${base()}/${p.id}/document`, Buffer.alloc(0), pdfHeaders);
    expect(empty.statusCode).toBe(400);
    expect(empty.json().errors[0]).toMatchObject({ field: 'file', code: 'file_empty' });
    const text = await coordinator.request('PUT', `${base()}/${p.id}/document`, PDF, { 'content-type': 'text/plain' });
    expect(text.statusCode).toBe(415);
    expect(await storedDocument(p.id)).toEqual({ document: null, document_sha256: null, document_size: null, document_name: null });
    expect((await auditOf(p.id)).map((a) => a.action)).toEqual(['protocol.create']);
    expect((await coordinator.request('GET', `${base()}/${p.id}/document`)).statusCode).toBe(404);
  });

  it('refuses more than 10 MB, from the Content-Length and from a stream without one', async () => {
    const p = await create();
    const declared = await s.app.inject({
      method: 'PUT',
      url: `${base()}/${p.id}/document`,
      headers: { cookie: coordinator.cookie, 'x-csrf-token': coordinator.csrf, ...pdfHeaders, 'content-length': String(PROTOCOL_DOCUMENT_MAX_BYTES + 1) },
      payload: PDF,
    });
    expect(declared.statusCode).toBe(413);
    expect(declared.json().code).toBe('file_too_large');
    expect(declared.json().detail).toContain('10 MB');

    // Streamed in chunks with no length: refused once the 10 MB are passed.
    const big = Buffer.concat([PDF, Buffer.alloc(PROTOCOL_DOCUMENT_MAX_BYTES, 0x20)]);
    const chunks = function* () {
      for (let i = 0; i < big.length; i += 256 * 1024) yield big.subarray(i, i + 256 * 1024);
    };
    const streamed = await s.app.inject({
      method: 'PUT',
      url: `${base()}/${p.id}/document`,
      headers: { cookie: coordinator.cookie, 'x-csrf-token': coordinator.csrf, ...pdfHeaders },
      payload: Readable.from(chunks()),
    });
    expect(streamed.statusCode).toBe(413);
    expect(streamed.json().code).toBe('file_too_large');
    expect(await storedDocument(p.id)).toMatchObject({ document: null, document_sha256: null });
    expect((await auditOf(p.id)).map((a) => a.action)).toEqual(['protocol.create']);

    // Exactly at the limit is accepted.
    const atLimit = big.subarray(0, PROTOCOL_DOCUMENT_MAX_BYTES);
    const ok = await coordinator.request('PUT', `${base()}/${p.id}/document`, atLimit, pdfHeaders);
    expect(ok.statusCode, ok.body).toBe(200);
    expect(ok.json().document).toMatchObject({ size: PROTOCOL_DOCUMENT_MAX_BYTES, sha256: sha(atLimit), name: 'protocol.pdf' });
  });

  it('takes one document only: a second upload is refused and the first stays', async () => {
    const p = await create();
    await sign(p.id);
    const other = Buffer.concat([PDF, Buffer.from('% another version\n')]);
    const again = await coordinator.request('PUT', `${base()}/${p.id}/document`, other, pdfHeaders);
    expect(again.statusCode).toBe(409);
    expect(again.json().code).toBe('protocol_document_exists');
    expect((await storedDocument(p.id)).document_sha256).toBe(sha(PDF));
  });

  it('keeps a file name that is safe to send back', () => {
    expect(safePdfName('../../etc/passwd')).toBe('passwd.pdf');
    expect(safePdfName('C:\\fakepath\\Protocole signé.pdf')).toBe('Protocole signé.pdf');
    expect(safePdfName('..pdf')).toBe('pdf.pdf');
    expect(safePdfName('Protocole "zone" <Namur>.PDF')).toBe('Protocole _zone_ _Namur_.PDF');
    expect(safePdfName('Protocol\r\nSet-Cookie: x')).toBe('Protocol_Set-Cookie_ x.pdf');
    expect(safePdfName(undefined)).toBe('protocol.pdf');
    expect(safePdfName('')).toBe('protocol.pdf');
  });
});

describe('changing and revoking', () => {
  it('changes anything of a draft; once signed only the end date, never into the past', async () => {
    const p = await create();
    const draft = await coordinator.request('PATCH', `${base()}/${p.id}`, {
      title: 'Protocol groene dossiers 2025',
      categories: ['incident', 'contact'],
      retentionDays: 730,
    });
    expect(draft.statusCode, draft.body).toBe(200);
    expect(draft.json()).toMatchObject({ title: 'Protocol groene dossiers 2025', categories: ['incident', 'contact'], retentionDays: 730, status: 'draft' });
    const backwards = await coordinator.request('PATCH', `${base()}/${p.id}`, { validFrom: day(400) });
    expect(backwards.json().errors).toEqual([expect.objectContaining({ field: 'validTo', code: 'ends_before_start' })]);
    const notZone = await coordinator.request('PATCH', `${base()}/${p.id}`, { senderOrganisationId: city });
    expect(notZone.json().errors).toEqual([expect.objectContaining({ field: 'senderOrganisationId', code: 'sender_not_police_zone' })]);

    await sign(p.id);
    for (const body of [
      { title: 'Changed after signing' },
      { categories: ['incident', 'contact', 'address'] },
      { retentionDays: 3650 },
      { validFrom: day(-60) },
    ]) {
      const refused = await coordinator.request('PATCH', `${base()}/${p.id}`, body);
      expect(refused.statusCode, JSON.stringify(body)).toBe(409);
      expect(refused.json().code).toBe('protocol_signed');
    }
    const mixed = await coordinator.request('PATCH', `${base()}/${p.id}`, { validTo: day(700), retentionDays: 10 });
    expect(mixed.statusCode).toBe(409);

    const extended = await coordinator.request('PATCH', `${base()}/${p.id}`, { validTo: day(700) });
    expect(extended.statusCode).toBe(200);
    expect(extended.json()).toMatchObject({ validTo: day(700), status: 'active', title: 'Protocol groene dossiers 2025', retentionDays: 730 });
    const past = await coordinator.request('PATCH', `${base()}/${p.id}`, { validTo: day(-1) });
    expect(past.statusCode).toBe(400);
    expect(past.json().errors).toEqual([expect.objectContaining({ field: 'validTo', code: 'valid_to_in_past' })]);
    const endsToday = await coordinator.request('PATCH', `${base()}/${p.id}`, { validTo: day(0) });
    expect(endsToday.json()).toMatchObject({ validTo: day(0), status: 'active' });
    const open = await coordinator.request('PATCH', `${base()}/${p.id}`, { validTo: null });
    expect(open.json()).toMatchObject({ validTo: null, status: 'active' });

    const audit = await auditOf(p.id);
    expect(audit.map((a) => a.action)).toEqual([
      'protocol.create',
      'protocol.update',
      'protocol.document_upload',
      'protocol.update',
      'protocol.update',
      'protocol.update',
    ]);
    expect(audit[1]?.details).toMatchObject({ fields: ['title', 'categories', 'retentionDays'], signed: false });
    expect(audit[3]?.details).toMatchObject({ fields: ['validTo'], signed: true, validTo: { from: day(335), to: day(700) } });
    expect(audit.every((a) => a.programme_id === programmeId && a.record_type === 'protocol')).toBe(true);
  });

  it('revokes once; a revoked protocol takes no change and no document', async () => {
    const p = await create();
    const r = await coordinator.request('POST', `${base()}/${p.id}/revoke`);
    expect(r.statusCode).toBe(200);
    expect(r.json().status).toBe('revoked');
    expect(r.json().revokedAt).toEqual(expect.any(String));
    const again = await coordinator.request('POST', `${base()}/${p.id}/revoke`);
    expect(again.statusCode).toBe(409);
    expect(again.json().code).toBe('protocol_revoked');
    expect((await coordinator.request('PATCH', `${base()}/${p.id}`, { title: 'Too late now' })).json().code).toBe('protocol_revoked');
    const upload = await coordinator.request('PUT', `${base()}/${p.id}/document`, PDF, pdfHeaders);
    expect(upload.statusCode).toBe(409);
    expect((await storedDocument(p.id)).document).toBeNull();
    expect((await auditOf(p.id)).map((a) => a.action)).toEqual(['protocol.create', 'protocol.revoke']);
  });
});

describe('the import gate: findActiveProtocol', () => {
  it('is null for a draft, the protocol once signed, null again once revoked', async () => {
    const sender = await policeZone(s.database.db, 'PZ Kempenland');
    const p = await create({ senderOrganisationId: sender });
    expect(await active(sender)).toBeUndefined();
    await sign(p.id);
    const found = await active(sender);
    expect(found).toMatchObject({
      id: p.id,
      sender_organisation_id: sender,
      document_sha256: sha(PDF),
      categories: ['incident', 'identity', 'contact', 'language'],
    });
    expect(found).not.toHaveProperty('document');
    await coordinator.request('POST', `${base()}/${p.id}/revoke`);
    expect(await active(sender)).toBeUndefined();
  });

  it('is null outside the protocol’s dates, and the status says why', async () => {
    const sender = await policeZone(s.database.db, 'PZ Lommel');
    const old = await create({ senderOrganisationId: sender, validFrom: '2020-01-01', validTo: '2021-12-31' });
    const future = await create({ senderOrganisationId: sender, validFrom: day(10), validTo: null });
    expect((await sign(old.id)).status).toBe('expired');
    expect((await sign(future.id)).status).toBe('not_yet_valid');
    expect(await active(sender)).toBeUndefined();
    expect((await active(sender, '2021-06-30'))?.id).toBe(old.id);
    expect((await active(sender, '2022-01-01'))?.id).toBeUndefined();
    expect((await active(sender, day(10)))?.id).toBe(future.id);
    const list = (await coordinator.request('GET', base())).json().items as { id: string; status: string }[];
    expect(list.find((x) => x.id === old.id)?.status).toBe('expired');
    expect(list.find((x) => x.id === future.id)?.status).toBe('not_yet_valid');
  });

  it('computes the status as findActiveProtocol decides', () => {
    const p = { revoked_at: null, document_sha256: 'x', valid_from: '2025-01-01', valid_to: '2025-12-31' };
    expect(protocolStatus(p, '2024-12-31')).toBe('not_yet_valid');
    expect(protocolStatus(p, '2025-01-01')).toBe('active');
    expect(protocolStatus(p, '2025-12-31')).toBe('active');
    expect(protocolStatus(p, '2026-01-01')).toBe('expired');
    expect(protocolStatus({ ...p, document_sha256: null }, '2025-06-01')).toBe('draft');
    expect(protocolStatus({ ...p, revoked_at: new Date() }, '2025-06-01')).toBe('revoked');
    expect(protocolStatus({ ...p, valid_to: null }, '2099-01-01')).toBe('active');
  });
});

describe('who may', () => {
  it('answers 404 to a coordinator of another programme, for every protocol route', async () => {
    const p = await create();
    await sign(p.id);
    const urls: [string, string, unknown?, Record<string, string>?][] = [
      ['GET', base()],
      ['GET', `${base()}/${p.id}`],
      ['GET', `${base()}/${p.id}/document`],
      ['PATCH', `${base()}/${p.id}`, { validTo: day(900) }],
      ['POST', `${base()}/${p.id}/revoke`],
      ['PUT', `${base()}/${p.id}/document`, PDF, pdfHeaders],
      ['POST', base(), valid()],
    ];
    for (const [method, url, body, headers] of urls) {
      const r = await otherCoordinator.request(method, url, body, headers);
      expect(r.statusCode, `${method} ${url}`).toBe(404);
    }
    // Through their own programme, another programme's protocol does not exist either.
    for (const url of [`${base(otherProgrammeId)}/${p.id}`, `${base(otherProgrammeId)}/${p.id}/document`]) {
      expect((await otherCoordinator.request('GET', url)).statusCode).toBe(404);
    }
    const revoke = await otherCoordinator.request('POST', `${base(otherProgrammeId)}/${p.id}/revoke`);
    expect(revoke.statusCode).toBe(404);
    expect((await otherCoordinator.request('GET', base(otherProgrammeId))).json().items).toEqual([]);
    expect((await coordinator.request('GET', `${base()}/${p.id}`)).json()).toMatchObject({ status: 'active', validTo: day(335) });
  });

  it('lets the DPO read but not record or change', async () => {
    expect((await dpo.request('GET', base())).statusCode).toBe(200);
    expect((await dpo.request('POST', base(), valid())).statusCode).toBe(403);
  });
});
