import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SYSTEM_ACTOR } from '../../kernel/audit/audit.ts';
import type { HavenDatabase } from '../../kernel/db/database.ts';
import { runOncePerDay } from '../../kernel/jobs.ts';
import { ephemeralKeyRing } from '../../kernel/vault/keyring.ts';
import { testDatabase } from '../../testing/database.ts';
import { buildWorld, type ContactKey, type World } from './retention.fixture.ts';
import { findPurgeable, purge, purgeJob } from './retention.ts';
import { identityContext, pvContext, readContactIdentity } from './vault.ts';

const keys = ephemeralKeyRing();
let database: HavenDatabase;
let world: World;
beforeAll(async () => {
  database = await testDatabase();
  world = await buildWorld(database.db, keys);
});
afterAll(() => database.close());

const db = () => database.db;

/** The figures a report of the period shows, from the pseudonymous tables only. */
async function periodCounts(w: World) {
  const where = sql`c.programme_id = ${w.programmeId} AND c.received_at >= ${w.period.from}::timestamptz AND c.received_at < ${w.period.to}::timestamptz`;
  const q = async (select: ReturnType<typeof sql>, group: ReturnType<typeof sql>) =>
    (
      await sql`SELECT ${select}, count(*)::int AS n FROM contacts c JOIN dossiers d ON d.id = c.dossier_id WHERE ${where} GROUP BY ${group} ORDER BY ${group}`.execute(
        db(),
      )
    ).rows;
  return {
    received: (await sql<{ n: number }>`SELECT count(*)::int AS n FROM contacts c WHERE ${where}`.execute(db())).rows[0]?.n,
    perMunicipality: await q(sql`d.municipality`, sql`1`),
    perStatusOutcome: await q(sql`c.status, c.outcome`, sql`1, 2`),
    perColour: await q(sql`d.colour, count(DISTINCT d.id)::int AS dossiers`, sql`1`),
    perRoleGender: await q(sql`c.role, c.gender, c.birth_year`, sql`1, 2, 3`),
    dossiers: (await sql<{ n: number }>`SELECT count(DISTINCT c.dossier_id)::int AS n FROM contacts c WHERE ${where}`.execute(db())).rows[0]?.n,
  };
}

/** Every row of every table of the database, as text. */
async function dumpAll(): Promise<string> {
  const tables = await sql<{ table_name: string }>`
    SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' AND table_type = 'BASE TABLE' ORDER BY table_name`.execute(db());
  const parts: string[] = [];
  for (const { table_name } of tables.rows) {
    const rows = await sql<{ t: string }>`SELECT t::text AS t FROM ${sql.table(table_name)} t`.execute(db());
    parts.push(`${table_name}: ${rows.rows.map((r) => r.t).join('\n')}`);
  }
  return parts.join('\n');
}

/** The sealed values that name a contact, wherever they are. */
async function sealedValuesOf(w: World, key: ContactKey): Promise<string[]> {
  const id = w.contacts[key];
  const values: string[] = [];
  const ci = await db().selectFrom('contact_identities').select('data').where('contact_id', '=', id).execute();
  values.push(...ci.map((r) => r.data));
  const rows = await db()
    .selectFrom('import_rows')
    .select(['identity', 'pv_number'])
    .where('person_hash', '=', w.personHashes[key])
    .where('import_id', 'in', [w.imports.kept, w.imports.expired])
    .execute();
  for (const r of rows) values.push(...[r.identity, r.pv_number].filter((v): v is string => !!v));
  return values;
}

async function snapshot() {
  return {
    contacts: await db().selectFrom('contacts').selectAll().orderBy('id').execute(),
    identities: await db().selectFrom('contact_identities').selectAll().orderBy('contact_id').execute(),
    dossierIdentities: await db().selectFrom('dossier_identities').selectAll().orderBy('dossier_id').execute(),
    imports: await db().selectFrom('imports').select(['id', 'status']).orderBy('id').execute(),
    importRows: await db().selectFrom('import_rows').selectAll().orderBy('import_id').orderBy('row_no').execute(),
    auditHead: await db().selectFrom('audit_head').selectAll().execute(),
  };
}

describe('retention purge', () => {
  it('findPurgeable lists the closed contacts whose retention has ended, without personal data', async () => {
    const list = await findPurgeable(db(), world.now);
    expect(list.map((c) => c.contactId).sort()).toEqual([world.contacts.A, world.contacts.B, world.contacts.C].sort());
    const a = list.find((c) => c.contactId === world.contacts.A);
    expect(a).toEqual({
      contactId: world.contacts.A,
      programmeSlug: world.slug,
      closedAt: new Date(`${world.year}-02-01T10:00:00Z`),
      retentionUntil: new Date(`${world.year + 1}-02-01T10:00:00Z`),
    });
    // A day before B's retention ends, B is not due.
    const earlier = await findPurgeable(db(), new Date(`${world.year + 1}-02-28T00:00:00Z`));
    expect(earlier.map((c) => c.contactId).sort()).toEqual([world.contacts.A, world.contacts.C].sort());
  });

  it('a dry run says what would go and changes nothing', async () => {
    const before = await snapshot();
    const result = await purge(db(), { now: world.now, dryRun: true, actor: SYSTEM_ACTOR });
    expect(result).toMatchObject({
      dryRun: true,
      contacts: 3,
      perProgramme: { [world.slug]: 3 },
      dossierIdentities: 1,
      dossierIds: [world.dossiers.D1],
      stagedImports: 3,
      stagedImportIds: [world.imports.stalePreview, world.imports.staleFailed, world.imports.staleParsing].sort(),
      stagedRows: 6,
    });
    // expired import: rows 2 (loose PV) and 3 (PV of D3); kept import: row 1 (A, in D1).
    expect(result.importRowValues).toBe(3);
    expect(result.contactIds.sort()).toEqual([world.contacts.A, world.contacts.B, world.contacts.C].sort());
    expect(await snapshot()).toEqual(before);
  });

  it('destroys the vault of due contacts, keeps every counted fact, and audits it once', async () => {
    const countsBefore = await periodCounts(world);
    const sealedBefore = [...(await sealedValuesOf(world, 'A')), ...(await sealedValuesOf(world, 'B')), ...(await sealedValuesOf(world, 'C'))];
    const d1Pv = await db().selectFrom('dossier_identities').select('pv_number').where('dossier_id', '=', world.dossiers.D1).executeTakeFirstOrThrow();
    sealedBefore.push(d1Pv.pv_number);
    expect(sealedBefore.length).toBeGreaterThanOrEqual(5);
    const kept = {
      D: await db().selectFrom('contact_identities').select('data').where('contact_id', '=', world.contacts.D).executeTakeFirstOrThrow(),
      D2: await db().selectFrom('dossier_identities').select('pv_number').where('dossier_id', '=', world.dossiers.D2).executeTakeFirstOrThrow(),
    };

    const result = await purge(db(), { now: world.now, actor: SYSTEM_ACTOR });
    expect(result).toMatchObject({ dryRun: false, contacts: 3, dossierIdentities: 1, importRowValues: 3, stagedImports: 3, stagedRows: 6 });

    // The vault rows are gone and nothing can be read.
    for (const key of ['A', 'B', 'C'] as const) {
      const id = world.contacts[key];
      expect(await db().selectFrom('contact_identities').select('contact_id').where('contact_id', '=', id).execute()).toHaveLength(0);
      await expect(readContactIdentity(db(), keys, async () => {}, id, 'test')).rejects.toMatchObject({ code: 'identity_purged' });
      const c = await db().selectFrom('contacts').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
      expect(c.purged_at).toEqual(world.now);
      expect(c.phone_hash).toBeNull();
      expect(c.has_phone).toBe(true);
    }
    expect(await db().selectFrom('dossier_identities').select('dossier_id').where('dossier_id', '=', world.dossiers.D1).execute()).toHaveLength(0);

    // Not due, open, or open with a stale retention date: untouched, still readable.
    for (const key of ['D', 'E', 'F'] as const) {
      const c = await db().selectFrom('contacts').selectAll().where('id', '=', world.contacts[key]).executeTakeFirstOrThrow();
      expect(c.purged_at).toBeNull();
      expect(c.phone_hash).not.toBeNull();
      const read = await readContactIdentity(db(), keys, async () => {}, world.contacts[key], 'test');
      expect(read.identity.lastName).toBeTruthy();
      expect(read.pvNumber).toBeTruthy();
    }
    expect(await db().selectFrom('contact_identities').select('data').where('contact_id', '=', world.contacts.D).executeTakeFirstOrThrow()).toEqual(kept.D);
    expect(await db().selectFrom('dossier_identities').select('pv_number').where('dossier_id', '=', world.dossiers.D2).executeTakeFirstOrThrow()).toEqual(
      kept.D2,
    );

    // The pseudonymous facts: the same figures for the past period.
    expect(await periodCounts(world)).toEqual(countsBefore);
    expect(countsBefore.received).toBe(6);

    // Import rows: the expired import's PV numbers are gone, the kept one keeps those of living
    // contacts; stale previews lost their staged rows, the fresh preview kept them.
    const rows = await db().selectFrom('import_rows').select(['import_id', 'row_no', 'pv_number', 'identity']).orderBy('import_id').orderBy('row_no').execute();
    const of = (id: string) => rows.filter((r) => r.import_id === id);
    expect(of(world.imports.expired).map((r) => r.pv_number)).toEqual([null, null, null]);
    expect(of(world.imports.expired)).toHaveLength(3);
    expect(of(world.imports.kept).map((r) => r.pv_number !== null)).toEqual([false, true, true, true]);
    expect(of(world.imports.stalePreview)).toHaveLength(0);
    expect(of(world.imports.staleFailed)).toHaveLength(0);
    expect(of(world.imports.staleParsing)).toHaveLength(0);
    expect(of(world.imports.freshPreview).map((r) => r.identity !== null)).toEqual([true, true]);
    const statuses = Object.fromEntries((await db().selectFrom('imports').select(['id', 'status']).execute()).map((r) => [r.id, r.status]));
    expect(statuses[world.imports.stalePreview]).toBe('discarded');
    expect(statuses[world.imports.staleFailed]).toBe('failed');
    expect(statuses[world.imports.staleParsing]).toBe('failed');
    expect(statuses[world.imports.freshPreview]).toBe('previewed');
    expect(statuses[world.imports.kept]).toBe('committed');
    // What stays opens under its own record's context.
    const keptRow = of(world.imports.kept)[1];
    const dPv = await db().selectFrom('dossiers').select('pv_hash').where('id', '=', world.dossiers.D2).executeTakeFirstOrThrow();
    expect(keys.open(keptRow?.pv_number as string, pvContext(dPv.pv_hash))).toContain('GE.55');

    // A raw scan of every table finds no sealed value of a purged contact, and no plaintext at all.
    const dump = await dumpAll();
    for (const value of sealedBefore) {
      expect(dump).not.toContain(value);
      expect(dump).not.toContain(value.split('.')[3]);
    }
    for (const text of world.plaintexts) expect(dump).not.toContain(text);

    // One audit event, naming the contacts and the counts.
    const events = await db().selectFrom('audit_events').selectAll().where('action', '=', 'retention.purge').execute();
    expect(events).toHaveLength(1);
    expect(events[0]?.actor_role).toBe('system');
    expect(events[0]?.details).toMatchObject({ contacts: 3, dossierIdentities: 1, importRowValues: 3, stagedImports: 3, stagedRows: 6 });
    const details = (events[0]?.details ?? {}) as { contactIds?: string[] };
    expect([...(details.contactIds ?? [])].sort()).toEqual([world.contacts.A, world.contacts.B, world.contacts.C].sort());
  });

  it('a second purge at the same moment finds nothing more', async () => {
    const again = await purge(db(), { now: world.now, actor: SYSTEM_ACTOR });
    expect(again).toMatchObject({ contacts: 0, dossierIdentities: 0, importRowValues: 0, stagedImports: 0, stagedRows: 0 });
  });

  it('when the last contact of a dossier is purged later, the dossier loses its PV number then', async () => {
    // Close D now: its retention ends tomorrow.
    const closedAt = world.now;
    const until = new Date(world.now.getTime() + 86_400_000);
    await db()
      .updateTable('contacts')
      .set({ status: 'closed', outcome: 'reached', closed_at: closedAt, retention_until: until })
      .where('id', '=', world.contacts.D)
      .execute();
    const r = await purge(db(), { now: new Date(until.getTime() + 1), actor: SYSTEM_ACTOR });
    expect(r.contactIds).toEqual([world.contacts.D]);
    expect(r.dossierIds).toEqual([world.dossiers.D2]);
    // The kept import's row of D named it: its PV number went with D.
    expect(r.importRowValues).toBe(1);
    expect(await db().selectFrom('dossier_identities').select('dossier_id').where('dossier_id', '=', world.dossiers.D2).execute()).toHaveLength(0);
    const row = await db()
      .selectFrom('import_rows')
      .select('pv_number')
      .where('import_id', '=', world.imports.kept)
      .where('row_no', '=', 2)
      .executeTakeFirstOrThrow();
    expect(row.pv_number).toBeNull();
  });

  it('the daily job purges once however many processes run it concurrently', async () => {
    const w = await buildWorld(db(), keys, { shiftYears: 10 });
    const identitiesBefore = await db().selectFrom('contact_identities').select('contact_id').where('contact_id', 'in', Object.values(w.contacts)).execute();
    expect(identitiesBefore).toHaveLength(6);
    const auditBefore = (await db().selectFrom('audit_events').select('seq').where('action', '=', 'retention.purge').execute()).length;
    // What is due then: this world's A, B, C, and what of the first world has come due since.
    const dry = await purge(db(), { now: w.now, dryRun: true, actor: SYSTEM_ACTOR });
    expect(dry.contactIds).toEqual(expect.arrayContaining([w.contacts.A, w.contacts.B, w.contacts.C]));
    expect(dry.contactIds).not.toContain(w.contacts.E);
    const day = '2036-03-10';
    const outcomes = await Promise.all(
      Array.from({ length: 10 }, () => runOncePerDay(db(), purgeJob.name, day, (tx) => purgeJob.run(tx, { now: w.now, actor: SYSTEM_ACTOR }))),
    );
    const ran = outcomes.filter((o) => o.ran);
    expect(ran).toHaveLength(1);
    expect(ran[0]).toEqual({
      ran: true,
      result: {
        contacts: dry.contacts,
        dossierIdentities: dry.dossierIdentities,
        importRowValues: dry.importRowValues,
        stagedImports: dry.stagedImports,
        stagedRows: dry.stagedRows,
      },
    });
    const events = await db().selectFrom('audit_events').select('seq').where('action', '=', 'retention.purge').execute();
    expect(events.length - auditBefore).toBe(1);
    const left = await db().selectFrom('contact_identities').select('contact_id').where('contact_id', 'in', Object.values(w.contacts)).execute();
    expect(left.map((r) => r.contact_id).sort()).toEqual([w.contacts.D, w.contacts.E, w.contacts.F].sort());
    const run = await db().selectFrom('scheduled_runs').selectAll().where('job', '=', purgeJob.name).where('run_on', '=', day).executeTakeFirstOrThrow();
    expect(run.finished_at).toBeInstanceOf(Date);
    expect(run.result).toMatchObject({ contacts: dry.contacts });
    // The run's record keeps counts only: no contact id.
    expect(JSON.stringify(run.result)).not.toContain(w.contacts.A);
  });

  it('a value sealed for one contact does not open under another contact context', async () => {
    const w = await buildWorld(db(), keys, { shiftYears: 20 });
    const e = await db().selectFrom('contact_identities').selectAll().where('contact_id', '=', w.contacts.E).executeTakeFirstOrThrow();
    expect(() => keys.open(e.data, identityContext(w.personHashes.E))).not.toThrow();
    expect(() => keys.open(e.data, identityContext(w.personHashes.F))).toThrow();
  });
});
