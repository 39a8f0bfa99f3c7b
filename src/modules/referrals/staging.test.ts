/**
 * The staging rule and the whole pipeline on generated exports with every kind of mess: whatever
 * a row holds, it is either set aside with a reason or becomes a committable row with its hashes
 * and sealed identity; and a commit creates exactly what the preview announced.
 */
import fc from 'fast-check';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SYSTEM_ACTOR } from '../../kernel/audit/audit.ts';
import type { HavenDatabase } from '../../kernel/db/database.ts';
import { ephemeralKeyRing } from '../../kernel/vault/keyring.ts';
import { testDatabase } from '../../testing/database.ts';
import { IMPORT_FIELDS } from './fields.ts';
import { generatePoliceExport } from './generate.ts';
import { commitImport, inspectFile, stageFile, stageRow, startImport } from './imports.ts';
import { normaliseRow } from './parsing/normalise.ts';
import { activeProtocol, policeZone } from './testing.ts';
import { identityContext } from './vault.ts';

const keys = ephemeralKeyRing();
const ctx = {
  importId: '00000000-0000-4000-8000-000000000000',
  programmeId: '00000000-0000-4000-8000-000000000001',
  municipalities: new Map([['genk', '71016']]),
};

describe('staging one row', () => {
  it('never stages a committable row without PV hash, person hash and an identity that opens', () => {
    const value = fc.oneof(fc.string(), fc.constantFrom('', ' ', 'Groen', 'Oranje', 'rood', 'HA.1/2024', '0470 12 34 56', '31/02/2024', 'Genk', '=cmd|x'));
    fc.assert(
      fc.property(fc.record(Object.fromEntries(IMPORT_FIELDS.map((f) => [f, value])), { requiredKeys: [] }), (record) => {
        const staged = stageRow(keys, ctx, 1, normaliseRow(record, { today: '2026-11-22' }));
        const committable = staged.outcome !== 'set_aside' || staged.reason === 'orange' || staged.reason === 'red';
        if (staged.outcome === 'set_aside') expect(staged.reason).toBeTruthy();
        if (!committable) return;
        expect(staged.pv_hash).toMatch(/^[0-9a-f]{64}$/);
        expect(staged.person_hash).toMatch(/^[0-9a-f]{64}$/);
        expect(() => JSON.parse(keys.open(staged.identity as string, identityContext(staged.person_hash as string)))).not.toThrow();
        const facts = JSON.parse(staged.facts as string);
        expect(['green', 'orange', 'red']).toContain(facts.colour);
      }),
      { numRuns: 500 },
    );
  });
});

describe('a generated export with every kind of mess', () => {
  let database: HavenDatabase;
  beforeAll(async () => {
    database = await testDatabase();
  });
  afterAll(() => database.close());

  it('commits exactly what the preview announced, and nothing again the second time', { timeout: 60_000 }, async () => {
    const db = database.db;
    const org = await db
      .insertInto('organisations')
      .values({ name: 'Veiligheidshuis', kind: 'safety_house', nis_code: null })
      .returning('id')
      .executeTakeFirstOrThrow();
    const project = await db
      .insertInto('projects')
      .values({ slug: 'gen', name: 'Gen', coordinating_organisation_id: org.id, starts_on: null, ends_on: null })
      .returning('id')
      .executeTakeFirstOrThrow();
    const programme = await db
      .insertInto('programmes')
      .values({ project_id: project.id, slug: 'gen-o', name: 'O', kind: 'outreach' })
      .returning('id')
      .executeTakeFirstOrThrow();
    const zone = await policeZone(db);
    await activeProtocol(db, { programmeId: programme.id, senderOrganisationId: zone, receiverOrganisationId: org.id });
    const enc = new TextEncoder();
    const file = async function* () {
      for await (const line of generatePoliceExport({ rows: 3000, lang: 'nl', seed: 7 })) yield enc.encode(line);
    };
    const deps = { db, keys, actor: SYSTEM_ACTOR };
    const run = async () => {
      const inspected = await inspectFile(db, file(), { fileName: 'generated.csv', senderOrganisationId: zone });
      const started = await startImport(deps, {
        programmeId: programme.id,
        senderOrganisationId: zone,
        fileName: 'generated.csv',
        columns: inspected.suggested,
        uploadedBy: null,
      });
      const preview = await stageFile(deps, started.importId, file());
      const result = await commitImport(deps, started.importId, null);
      return { preview, result };
    };
    const first = await run();
    expect(first.preview.rows).toBe(3000);
    const setAside = Object.values(first.preview.setAside).reduce((a, b) => a + b, 0);
    expect(first.preview.accepted + setAside).toBe(3000);
    // Every kind of fault the generator injects is found.
    expect(Object.keys(first.preview.setAside)).toEqual(expect.arrayContaining(['no_pv_number', 'orange', 'red', 'duplicate_in_file']));
    expect(Object.keys(first.preview.warnings)).toEqual(expect.arrayContaining(['phone_unusable']));
    expect(first.result.contacts).toBe(first.preview.contacts);
    expect(first.result.dossiers).toBe(first.preview.dossiers);
    const n = async (t: 'contacts' | 'contact_identities' | 'dossiers' | 'dossier_identities') =>
      Number((await db.selectFrom(t).select(sql<number>`count(*)::int`.as('n')).executeTakeFirstOrThrow()).n);
    expect(await n('contacts')).toBe(first.result.contacts);
    expect(await n('contact_identities')).toBe(first.result.contacts);
    expect(await n('dossier_identities')).toBe(await n('dossiers'));

    const second = await run();
    expect(second.preview.accepted).toBe(0);
    expect(second.result).toEqual({ dossiers: 0, contacts: 0, orangeRed: 0 });
    expect(await n('contacts')).toBe(first.result.contacts);
  });
});
