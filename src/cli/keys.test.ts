import { randomBytes } from 'node:crypto';
import { readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { HavenDatabase } from '../kernel/db/database.ts';
import { addKeyToFile, type KeyRing, keyRingFromFile, keyRingFromMasterKey } from '../kernel/vault/keyring.ts';
import { resealColumns, type SealedColumn } from '../kernel/vault/sealed-columns.ts';
import { buildWorld, type World } from '../modules/referrals/retention.fixture.ts';
import { identityContext } from '../modules/referrals/vault.ts';
import { loadModules } from '../server/modules.ts';
import { type CliSite, cliSite } from './cli.fixture.ts';

let columns: SealedColumn[];
beforeAll(async () => {
  columns = (await loadModules()).flatMap((m) => m.sealedColumns ?? []);
});

/** Every sealed value of the database, opened with `keys`: `column|row key` → [key id, plaintext]. */
async function openEverything(database: HavenDatabase, keys: KeyRing): Promise<Map<string, [string, string]>> {
  const values = new Map<string, [string, string]>();
  for (const column of columns) {
    for (const r of await column.list(database.db, { notKeyId: '-none-', after: null, limit: 100_000 })) {
      values.set(`${column.name}|${JSON.stringify(r.key)}`, [r.sealed.split('.')[1] as string, keys.open(r.sealed, r.context)]);
    }
  }
  return values;
}

const json = (stdout: string) => JSON.parse(stdout);

describe('haven keys, with a key file', { timeout: 90_000 }, () => {
  let site: CliSite;
  let file: string;
  let world: World;
  let original: Map<string, [string, string]>;

  beforeAll(async () => {
    site = await cliSite('keys');
    file = path.join(site.dataDir, 'haven.key');
    const keys = keyRingFromFile(file);
    world = await site.withDatabase((database) => buildWorld(database.db, keys));
    original = await site.withDatabase((database) => openEverything(database, keys));
    expect(original.size).toBeGreaterThan(10);
  }, 120_000);
  afterAll(() => site.close());

  it('status counts the values per key', async () => {
    const r = await site.run(['keys', 'status', '--json']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const status = json(r.stdout);
    expect(status).toMatchObject({ mode: 'key-file', activeKeyId: 'k1', keyIds: ['k1'], unknownKeyIds: [] });
    expect(status.byKey['contact_identities.data']).toEqual({ k1: 6 });
    expect(status.byKey['dossier_identities.pv_number']).toEqual({ k1: 4 });
  });

  it('rotate adds a key, re-seals every value under it, keeps the old key and mode 0600', async () => {
    const r = await site.run(['keys', 'rotate', '--json', '--batch-size', '3']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const report = json(r.stdout);
    expect(report).toMatchObject({ mode: 'key-file', previousKeyId: 'k1', activeKeyId: 'k2', remaining: 0 });
    expect(report.columns['contact_identities.data']).toEqual({ resealed: 6, unreadable: 0, changed: 0 });
    expect(report.columns['dossier_identities.pv_number']).toEqual({ resealed: 4, unreadable: 0, changed: 0 });
    const total = Object.values(report.columns as Record<string, { resealed: number }>).reduce((s, c) => s + c.resealed, 0);
    expect(total).toBe(original.size);

    expect(statSync(file).mode & 0o777).toBe(0o600);
    const content = JSON.parse(readFileSync(file, 'utf8'));
    expect(content.active).toBe('k2');
    expect(content.keys.map((k: { id: string }) => k.id)).toEqual(['k1', 'k2']);

    const keys = keyRingFromFile(file);
    const now = await site.withDatabase((database) => openEverything(database, keys));
    expect(now.size).toBe(original.size);
    for (const [id, [kid, text]] of now) {
      expect(kid, id).toBe('k2');
      expect(text, id).toBe(original.get(id)?.[1]);
    }
    const events = await site.withDatabase((database) =>
      database.db.selectFrom('audit_events').select(['action', 'actor_role', 'details']).where('action', '=', 'keys.rotated').execute(),
    );
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({ actor_role: 'cli', details: { previousKeyId: 'k1', activeKeyId: 'k2', remaining: 0 } });
  });

  it('an interrupted rotation finishes with --resume, and a key still in use cannot be retired', async () => {
    // A rotation that stopped after adding k3 and re-sealing one batch.
    addKeyToFile(file);
    const keys = keyRingFromFile(file);
    await site.withDatabase((database) => resealColumns(database.db, keys, columns, { batchSize: 2, maxBatches: 1 }));

    const refused = await site.run(['keys', 'retire', 'k2']);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/still sealed under k2.*haven keys rotate --resume/);
    const active = await site.run(['keys', 'retire', 'k3']);
    expect(active.code).toBe(1);
    expect(active.stderr).toContain('k3 is the active key');

    const r = await site.run(['keys', 'rotate', '--resume']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('Active key k3.');
    expect(r.stdout).toContain('Every sealed value is now under the active key.');
    const now = await site.withDatabase((database) => openEverything(database, keyRingFromFile(file)));
    for (const [id, [kid, text]] of now) {
      expect(kid, id).toBe('k3');
      expect(text, id).toBe(original.get(id)?.[1]);
    }
  });

  it('retire removes old keys no value uses; the rest still opens', async () => {
    for (const kid of ['k1', 'k2']) {
      const r = await site.run(['keys', 'retire', kid]);
      expect(r.stderr).toBe('');
      expect(r.code).toBe(0);
      expect(r.stdout).toContain(`Key ${kid} removed from the key file.`);
    }
    expect(JSON.parse(readFileSync(file, 'utf8')).keys.map((k: { id: string }) => k.id)).toEqual(['k3']);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    const keys = keyRingFromFile(file);
    const now = await site.withDatabase((database) => openEverything(database, keys));
    expect(now.size).toBe(original.size);
    // Bound to its record: contact A's identity does not open as contact B's.
    const a = await site.withDatabase((database) =>
      database.db.selectFrom('contact_identities').select('data').where('contact_id', '=', world.contacts.A).executeTakeFirstOrThrow(),
    );
    expect(() => keys.open(a.data, identityContext(world.personHashes.B))).toThrow();
    expect(JSON.parse(keys.open(a.data, identityContext(world.personHashes.A))).firstName).toBe('Anna');
  });
});

describe('haven keys, with HAVEN_MASTER_KEY', { timeout: 90_000 }, () => {
  let site: CliSite;
  const a = randomBytes(32).toString('base64');
  const b = randomBytes(32).toString('base64');
  let original: Map<string, [string, string]>;

  beforeAll(async () => {
    site = await cliSite('keys-master');
    const keys = keyRingFromMasterKey(a);
    await site.withDatabase((database) => buildWorld(database.db, keys));
    original = await site.withDatabase((database) => openEverything(database, keys));
  }, 120_000);
  afterAll(() => site.close());

  it('rotate re-seals under the new master key while the previous one keeps old values readable', async () => {
    const env = { HAVEN_MASTER_KEY: b, HAVEN_PREVIOUS_MASTER_KEYS: a };
    const r = await site.run(['keys', 'rotate', '--json'], env);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const ring = keyRingFromMasterKey(b, [a]);
    expect(json(r.stdout)).toMatchObject({ mode: 'master-key', previousKeyId: null, activeKeyId: ring.activeKeyId, remaining: 0 });
    const now = await site.withDatabase((database) => openEverything(database, ring));
    expect(now.size).toBe(original.size);
    for (const [id, [kid, text]] of now) {
      expect(kid, id).toBe(ring.activeKeyId);
      expect(text, id).toBe(original.get(id)?.[1]);
    }
    const status = await site.run(['keys', 'status', '--json'], env);
    expect(status.code).toBe(0);
    expect(json(status.stdout).unknownKeyIds).toEqual([]);
    const retire = await site.run(['keys', 'retire', 'm1'], env);
    expect(retire.code).toBe(0);
    expect(retire.stdout).toContain('keep it first in HAVEN_PREVIOUS_MASTER_KEYS');
  });

  it('without the original master key the values do not open, loudly', async () => {
    const r = await site.run(['keys', 'status'], { HAVEN_MASTER_KEY: b });
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('KEY MISSING');
  });

  it('refuses HAVEN_PREVIOUS_MASTER_KEYS without HAVEN_MASTER_KEY', async () => {
    const r = await site.run(['keys', 'status'], { HAVEN_PREVIOUS_MASTER_KEYS: a });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('HAVEN_PREVIOUS_MASTER_KEYS');
  });
});
