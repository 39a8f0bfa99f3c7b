import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { HavenDatabase } from '../../kernel/db/database.ts';
import { addKeyToFile, type KeyRing, keyRingFromFile, keyRingFromMasterKey } from '../../kernel/vault/keyring.ts';
import { countSealedByKey, resealColumns, type SealedColumn } from '../../kernel/vault/sealed-columns.ts';
import { loadModules } from '../../server/modules.ts';
import { testDatabase } from '../../testing/database.ts';
import { outreachContext } from '../outreach/sealed.ts';
import { buildWorld, type World } from './retention.fixture.ts';
import { identityContext } from './vault.ts';

const dir = mkdtempSync(path.join(tmpdir(), 'haven-sealed-'));
let database: HavenDatabase;
let columns: SealedColumn[];
const db = () => database.db;

beforeAll(async () => {
  database = await testDatabase();
  columns = (await loadModules()).flatMap((m) => m.sealedColumns ?? []);
});
afterAll(async () => {
  await database.close();
  rmSync(dir, { recursive: true, force: true });
});

/** Users with a TOTP secret and a session in MFA enrolment, sealed with `keys`. */
async function identityData(keys: KeyRing, world: World): Promise<void> {
  const org = await db()
    .selectFrom('programmes')
    .innerJoin('projects', 'projects.id', 'programmes.project_id')
    .select('coordinating_organisation_id as id')
    .where('programmes.id', '=', world.programmeId)
    .executeTakeFirstOrThrow();
  for (const i of [1, 2, 3]) {
    const user = await db()
      .insertInto('users')
      .values({
        organisation_id: org.id,
        email: `caller${i}-${world.slug}@example.test`,
        display_name: `Caller ${i}`,
        password_hash: 'x',
        locale: null,
        totp_secret: keys.seal(`JBSWY3DPEHPK3PX${i}`, 'users.totp_secret'),
        totp_enabled_at: new Date(),
        totp_last_step: null,
        deactivated_at: null,
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    await db()
      .insertInto('sessions')
      .values({
        id: randomBytes(16).toString('hex'),
        user_id: user.id,
        state: 'mfa_enrolment',
        csrf_token: 'csrf',
        pending_totp_secret: keys.seal(`PENDING${i}`, 'sessions.pending_totp_secret'),
        expires_at: new Date(Date.now() + 3_600_000),
        reauth_at: null,
      })
      .execute();
  }
}

/** What outreach seals about contact D of the world: a safety record, an attempt note, a conversation's free text, an escalation note. */
async function outreachData(keys: KeyRing, world: World): Promise<void> {
  const contactId = world.contacts.D;
  const ph = world.personHashes.D;
  await db()
    .insertInto('contact_safety')
    .values({
      contact_id: contactId,
      voicemail: 'never',
      other_party_same_address: null,
      sealed: keys.seal('{"askFor":"Ann"}', outreachContext('contact_safety.sealed', ph)),
      updated_by: null,
    })
    .execute();
  const attempt = await db()
    .insertInto('attempts')
    .values({
      contact_id: contactId,
      programme_id: world.programmeId,
      attempt_no: 1,
      caller_id: null,
      at: new Date(),
      local_day: '2026-01-05',
      part_of_day: 'morning',
      channel: 'phone',
      outcome: 'reached',
      note: keys.seal('called at work', outreachContext('attempts.note', ph)),
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  const scenario = await db()
    .insertInto('scenarios')
    .values({
      programme_id: world.programmeId,
      key: 'sealed-test',
      version: 1 + Math.floor(Math.random() * 1e6),
      status: 'draft',
      definition: JSON.stringify({}),
      created_by: null,
      published_at: null,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  const conversation = await db()
    .insertInto('conversations')
    .values({
      contact_id: contactId,
      programme_id: world.programmeId,
      attempt_id: attempt.id,
      scenario_id: scenario.id,
      caller_id: null,
      status: 'held',
      answers: '{}',
      free_text: keys.seal('{"since":"calmer"}', outreachContext('conversations.free_text', ph)),
      ended_at: new Date(),
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  await db()
    .insertInto('escalations')
    .values({
      contact_id: contactId,
      programme_id: world.programmeId,
      conversation_id: conversation.id,
      raised_by: null,
      recipient: 'veilig_huis',
      urgency: 'today',
      colour: 'orange',
      reasons: ['threats'],
      note: keys.seal('threatened by phone', outreachContext('escalations.note', ph)),
      acknowledged_at: null,
      acknowledged_by: null,
    })
    .execute();
}

const SEALED = /^v1\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/;

describe('sealed columns', () => {
  it('the modules declare every column that holds a sealed value', async () => {
    const keys = keyRingFromMasterKey(randomBytes(32).toString('base64'));
    const world = await buildWorld(db(), keys);
    await identityData(keys, world);
    await outreachData(keys, world);
    const textColumns = await sql<{ table_name: string; column_name: string }>`
      SELECT c.table_name, c.column_name FROM information_schema.columns c
      JOIN information_schema.tables t ON t.table_schema = c.table_schema AND t.table_name = c.table_name AND t.table_type = 'BASE TABLE'
      WHERE c.table_schema = 'public' AND c.data_type = 'text' ORDER BY 1, 2`.execute(db());
    const found = new Set<string>();
    for (const { table_name, column_name } of textColumns.rows) {
      const rows = await sql<{
        v: string;
      }>`SELECT ${sql.ref(column_name)} AS v FROM ${sql.table(table_name)} WHERE ${sql.ref(column_name)} LIKE 'v1.%' LIMIT 50`.execute(db());
      if (rows.rows.some((r) => SEALED.test(r.v))) found.add(`${table_name}.${column_name}`);
    }
    const declared = new Set(columns.map((c) => c.name));
    expect([...found].filter((name) => !declared.has(name))).toEqual([]);
    // and this world fills each of them
    expect([...declared].sort()).toEqual([...found].sort());
  });

  it('rotation re-seals every value under the new key, to the same plaintext, resumable', async () => {
    const file = path.join(dir, 'rotate', 'haven.key');
    const before = keyRingFromFile(file);
    const world = await buildWorld(db(), before, { shiftYears: 1 });
    await identityData(before, world);
    await outreachData(before, world);
    // What the other tests sealed under other rings is left out of this test's counts.
    const plaintexts = await openAllReadable(before);

    addKeyToFile(file);
    const after = keyRingFromFile(file);
    expect(after.activeKeyId).toBe('k2');
    expect(statSync(file).mode & 0o777).toBe(0o600);

    // Interrupted: one batch of 3 values only.
    const partial = await resealColumns(db(), after, columns, { batchSize: 3, maxBatches: 1 });
    const done = Object.values(partial).reduce((s, c) => s + c.resealed, 0);
    expect(done).toBeGreaterThan(0);
    expect(done).toBeLessThanOrEqual(3);
    const mid = await countSealedByKey(db(), columns);
    expect(Object.values(mid).some((kids) => (kids.k1 ?? 0) > 0)).toBe(true);

    // The second run finishes; what was done is not read again.
    const rest = await resealColumns(db(), after, columns, { batchSize: 4 });
    const resealed = Object.values(rest).reduce((s, c) => s + c.resealed, 0);
    expect(done + resealed).toBe(plaintexts.size);
    const byKey = await countSealedByKey(db(), columns);
    for (const [name, kids] of Object.entries(byKey)) expect(kids.k1 ?? 0, name).toBe(0);

    // Every value opens, under the new key, to what it was.
    for (const [id, text] of plaintexts) {
      const [name, key] = id.split('|') as [string, string];
      const column = columns.find((c) => c.name === name) as SealedColumn;
      const rows = await column.list(db(), { notKeyId: '-none-', after: null, limit: 10_000 });
      const row = rows.find((r) => JSON.stringify(r.key) === key);
      expect(row?.sealed.split('.')[1]).toBe('k2');
      expect(after.open(row?.sealed as string, row?.context as string)).toBe(text);
    }
    // A third run has nothing to do (the other tests' values, under other rings, do not open here).
    const third = await resealColumns(db(), after, columns);
    expect(Object.values(third).every((c) => c.resealed === 0)).toBe(true);

    // Under the old ring alone, nothing opens any more: the values really changed key.
    const c = await db().selectFrom('contact_identities').select(['data', 'person_hash']).where('contact_id', '=', world.contacts.A).executeTakeFirstOrThrow();
    expect(() => keyRingFromMasterKey(randomBytes(32).toString('base64')).open(c.data, identityContext(c.person_hash))).toThrow();
  });

  it('a value copied onto another record does not open there, and rotation does not make it valid', async () => {
    const file = path.join(dir, 'moved', 'haven.key');
    const keys = keyRingFromFile(file);
    const world = await buildWorld(db(), keys, { shiftYears: 2 });
    const e = await db().selectFrom('contact_identities').selectAll().where('contact_id', '=', world.contacts.E).executeTakeFirstOrThrow();
    const f = await db().selectFrom('contact_identities').selectAll().where('contact_id', '=', world.contacts.F).executeTakeFirstOrThrow();
    expect(() => keys.open(e.data, identityContext(f.person_hash))).toThrow();
    // Someone with database access copies E's sealed identity onto F.
    await db().updateTable('contact_identities').set({ data: e.data }).where('contact_id', '=', world.contacts.F).execute();
    addKeyToFile(file);
    const after = keyRingFromFile(file);
    const counts = await resealColumns(db(), after, [columns.find((c) => c.name === 'contact_identities.data') as SealedColumn]);
    expect(counts['contact_identities.data']?.unreadable).toBeGreaterThanOrEqual(1);
    const moved = await db().selectFrom('contact_identities').select('data').where('contact_id', '=', world.contacts.F).executeTakeFirstOrThrow();
    expect(moved.data).toBe(e.data);
    expect(() => after.open(moved.data, identityContext(f.person_hash))).toThrow();
    const own = await db().selectFrom('contact_identities').select('data').where('contact_id', '=', world.contacts.E).executeTakeFirstOrThrow();
    expect(own.data.split('.')[1]).toBe('k2');
    expect(JSON.parse(after.open(own.data, identityContext(e.person_hash))).firstName).toBe('Els');
  });

  it('with HAVEN_MASTER_KEY: the new master key re-seals what the previous one sealed; look-up hashes stay', async () => {
    const a = randomBytes(32).toString('base64');
    const b = randomBytes(32).toString('base64');
    const old = keyRingFromMasterKey(a);
    const world = await buildWorld(db(), old, { shiftYears: 3 });
    const values = await openAllReadable(old);
    const ring = keyRingFromMasterKey(b, [a]);
    await resealColumns(db(), ring, columns);
    for (const [id, text] of values) {
      const [name, key] = id.split('|') as [string, string];
      const column = columns.find((c) => c.name === name) as SealedColumn;
      const row = (await column.list(db(), { notKeyId: '-none-', after: null, limit: 10_000 })).find((r) => JSON.stringify(r.key) === key);
      expect(row?.sealed.split('.')[1]).toBe(ring.activeKeyId);
      expect(ring.open(row?.sealed as string, row?.context as string)).toBe(text);
    }
    const contact = await db().selectFrom('contacts').select('person_hash').where('id', '=', world.contacts.A).executeTakeFirstOrThrow();
    expect(contact.person_hash).toBe(world.personHashes.A);
    expect(ring.lookupHash('x', 'referrals.pv')).toBe(old.lookupHash('x', 'referrals.pv'));
  });
});

/** The values `keys` can open (others were sealed by other tests' rings), `column|key` → plaintext. */
async function openAllReadable(keys: KeyRing): Promise<Map<string, string>> {
  const values = new Map<string, string>();
  for (const column of columns) {
    const rows = await column.list(db(), { notKeyId: '-none-', after: null, limit: 100_000 });
    for (const r of rows) {
      try {
        values.set(`${column.name}|${JSON.stringify(r.key)}`, keys.open(r.sealed, r.context));
      } catch {
        // sealed under another test's ring
      }
    }
  }
  return values;
}
