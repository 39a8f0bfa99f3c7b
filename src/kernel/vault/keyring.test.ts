import { randomBytes } from 'node:crypto';
import { chmodSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../config.ts';
import { addKeyToFile, ephemeralKeyRing, KeyError, keyRingFromFile, keyRingFromMasterKey, loadKeyRing, newKeyFile, removeKeyFromFile } from './keyring.ts';

const dir = mkdtempSync(path.join(tmpdir(), 'haven-keyring-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Changes one character of the part at `index` of a sealed value (v1.kid.iv.ct). */
function flip(sealed: string, index: number): string {
  const parts = sealed.split('.');
  const p = parts[index] as string;
  const c = p[p.length - 2] === 'A' ? 'B' : 'A';
  parts[index] = `${p.slice(0, -2)}${c}${p.slice(-1)}`;
  return parts.join('.');
}

describe('sealing', () => {
  const ring = ephemeralKeyRing();

  it('opens what it sealed, in the same context', () => {
    for (const text of ['Jan Janssens', '+32 470 12 34 56', '', 'é ü 漢字 😀', 'x'.repeat(10_000)]) {
      const sealed = ring.seal(text, 'contacts.name');
      expect(sealed).not.toContain(text || '\u0000');
      expect(ring.open(sealed, 'contacts.name')).toBe(text);
    }
  });

  it('never gives the same sealed text twice (a fresh IV each time)', () => {
    const a = ring.seal('Jan Janssens', 'contacts.name');
    const b = ring.seal('Jan Janssens', 'contacts.name');
    expect(a).not.toBe(b);
    expect(a.split('.')[2]).not.toBe(b.split('.')[2]);
  });

  it('keeps the key id with each value', () => {
    const sealed = ring.seal('Jan', 'ctx');
    expect(sealed.split('.').slice(0, 2)).toEqual(['v1', ring.activeKeyId]);
    expect(ring.activeKeyId).toBe('m1');
  });

  it('refuses a tampered value', () => {
    const sealed = ring.seal('Jan Janssens', 'contacts.name');
    expect(() => ring.open(flip(sealed, 3), 'contacts.name')).toThrow();
    expect(() => ring.open(flip(sealed, 2), 'contacts.name')).toThrow();
    const [v, kid, iv, ct] = sealed.split('.');
    // Cut short: a value shorter than its authentication tag, or with a truncated tag.
    expect(() => ring.open([v, kid, iv, (ct as string).slice(0, 6)].join('.'), 'contacts.name')).toThrow(KeyError);
    expect(() => ring.open([v, kid, iv, (ct as string).slice(0, -4)].join('.'), 'contacts.name')).toThrow();
    expect(() => ring.open('v2.m1.a.b', 'contacts.name')).toThrow(KeyError);
    expect(() => ring.open('not sealed at all', 'contacts.name')).toThrow(KeyError);
  });

  it('refuses the wrong context: a value cannot be moved to another column', () => {
    const sealed = ring.seal('Jan Janssens', 'contacts.name');
    expect(() => ring.open(sealed, 'contacts.phone')).toThrow();
  });

  it('refuses a value sealed by another ring, and names an unknown key id', () => {
    const other = ephemeralKeyRing();
    expect(() => other.open(ring.seal('Jan', 'ctx'), 'ctx')).toThrow();
    expect(() => ring.open(ring.seal('Jan', 'ctx').replace('.m1.', '.k9.'), 'ctx')).toThrow(/k9/);
  });

  it('makes keyed look-up hashes: stable, per purpose, per installation', () => {
    const h = ring.lookupHash('+32470123456', 'phone');
    expect(h).toMatch(/^[0-9a-f]{64}$/);
    expect(ring.lookupHash('+32470123456', 'phone')).toBe(h);
    expect(ring.lookupHash('+32470123456', 'pv')).not.toBe(h);
    expect(ephemeralKeyRing().lookupHash('+32470123456', 'phone')).not.toBe(h);
  });

  it('derives the ring from HAVEN_MASTER_KEY, and refuses a key of the wrong size', () => {
    const master = randomBytes(32).toString('base64');
    expect(keyRingFromMasterKey(master).open(keyRingFromMasterKey(`${master}\n`).seal('Jan', 'ctx'), 'ctx')).toBe('Jan');
    expect(() => keyRingFromMasterKey(randomBytes(16).toString('base64'))).toThrow(KeyError);
    expect(() => keyRingFromMasterKey('')).toThrow(KeyError);
  });
});

describe('the key file', () => {
  it('is created on first start with mode 0600, and read back the next time', () => {
    const dataDir = path.join(dir, 'first-start');
    const ring = loadKeyRing({ masterKey: undefined, dataDir });
    const file = path.join(dataDir, 'haven.key');
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(ring.activeKeyId).toBe('k1');
    const again = loadKeyRing({ masterKey: undefined, dataDir });
    expect(again.open(ring.seal('Jan Janssens', 'ctx'), 'ctx')).toBe('Jan Janssens');
    expect(again.lookupHash('x', 'y')).toBe(ring.lookupHash('x', 'y'));
  });

  it.each([0o644, 0o640, 0o604, 0o660])('is refused when others can read it (mode %o)', (mode) => {
    const dataDir = path.join(dir, `mode-${mode.toString(8)}`);
    loadKeyRing({ masterKey: undefined, dataDir });
    const file = path.join(dataDir, 'haven.key');
    chmodSync(file, mode);
    expect(() => keyRingFromFile(file)).toThrow(KeyError);
    expect(() => keyRingFromFile(file)).toThrow(/readable by others/);
  });

  it('is refused when damaged', () => {
    const file = path.join(dir, 'damaged.key');
    writeFileSync(file, JSON.stringify({ version: 1, active: 'k1', keys: [], hmacKey: 'x' }), { mode: 0o600 });
    expect(() => keyRingFromFile(file)).toThrow(KeyError);
  });

  it('rotates: new values use the active key, old ones stay readable by their key id', () => {
    const file = path.join(dir, 'rotate.key');
    const first = newKeyFile();
    writeFileSync(file, JSON.stringify(first), { mode: 0o600 });
    const before = keyRingFromFile(file);
    const old = before.seal('sealed under k1', 'ctx');
    const rotated = {
      ...first,
      active: 'k2',
      keys: [...first.keys, { id: 'k2', key: randomBytes(32).toString('base64'), createdAt: new Date().toISOString() }],
    };
    writeFileSync(file, JSON.stringify(rotated));
    const after = keyRingFromFile(file);
    expect(after.activeKeyId).toBe('k2');
    const fresh = after.seal('sealed under k2', 'ctx');
    expect(fresh.split('.')[1]).toBe('k2');
    expect(after.open(old, 'ctx')).toBe('sealed under k1');
    expect(after.open(fresh, 'ctx')).toBe('sealed under k2');
    expect(JSON.parse(readFileSync(file, 'utf8')).keys).toHaveLength(2);
  });
});

describe('rotating the key file', () => {
  it('adds a key and makes it active, keeps the old ones and mode 0600', () => {
    const dataDir = path.join(dir, 'add-key');
    const first = loadKeyRing({ masterKey: undefined, dataDir });
    const file = path.join(dataDir, 'haven.key');
    const old = first.seal('Jan', 'ctx');
    expect(addKeyToFile(file)).toEqual({ previous: 'k1', active: 'k2' });
    expect(statSync(file).mode & 0o777).toBe(0o600);
    const ring = keyRingFromFile(file);
    expect(ring.activeKeyId).toBe('k2');
    expect(ring.keyIds).toEqual(['k1', 'k2']);
    expect(ring.open(old, 'ctx')).toBe('Jan');
    expect(ring.lookupHash('x', 'y')).toBe(first.lookupHash('x', 'y'));
    expect(addKeyToFile(file)).toEqual({ previous: 'k2', active: 'k3' });
  });

  it('removes a retired key, never the active one', () => {
    const dataDir = path.join(dir, 'remove-key');
    loadKeyRing({ masterKey: undefined, dataDir });
    const file = path.join(dataDir, 'haven.key');
    addKeyToFile(file);
    expect(() => removeKeyFromFile(file, 'k2')).toThrow(/active/);
    expect(() => removeKeyFromFile(file, 'k7')).toThrow(/not in the key file/);
    removeKeyFromFile(file, 'k1');
    expect(keyRingFromFile(file).keyIds).toEqual(['k2']);
    expect(statSync(file).mode & 0o777).toBe(0o600);
  });
});

describe('rotating the master key', () => {
  const a = randomBytes(32).toString('base64');
  const b = randomBytes(32).toString('base64');
  const c = randomBytes(32).toString('base64');

  it('opens the values of the previous master keys and seals under the new one', () => {
    const before = keyRingFromMasterKey(a);
    expect(before.activeKeyId).toBe('m1');
    const old = before.seal('Jan', 'ctx');
    const after = keyRingFromMasterKey(b, [a]);
    expect(after.activeKeyId).toMatch(/^m[0-9a-f]{8}$/);
    expect(after.keyIds).toEqual(['m1', after.activeKeyId]);
    expect(after.open(old, 'ctx')).toBe('Jan');
    const fresh = after.seal('Piet', 'ctx');
    expect(fresh.split('.')[1]).toBe(after.activeKeyId);
    expect(() => before.open(fresh, 'ctx')).toThrow(KeyError);
    // The same key gets the same id in every process; look-up hashes never change.
    expect(keyRingFromMasterKey(b, [a]).activeKeyId).toBe(after.activeKeyId);
    expect(after.lookupHash('+32470123456', 'phone')).toBe(before.lookupHash('+32470123456', 'phone'));
  });

  it('keeps the original first: the others may come in any order', () => {
    const ringB = keyRingFromMasterKey(b, [a]);
    const underB = ringB.seal('Jan', 'ctx');
    const underA = keyRingFromMasterKey(a).seal('Piet', 'ctx');
    for (const previous of [
      [a, b],
      [a, b, b],
    ]) {
      const ringC = keyRingFromMasterKey(c, previous);
      expect(ringC.open(underB, 'ctx')).toBe('Jan');
      expect(ringC.open(underA, 'ctx')).toBe('Piet');
      expect(ringC.lookupHash('x', 'y')).toBe(ringB.lookupHash('x', 'y'));
    }
    // The original not first: its values do not open, loudly, instead of hashing differently unseen.
    const wrong = keyRingFromMasterKey(c, [b, a]);
    expect(() => wrong.open(underA, 'ctx')).toThrow();
  });

  it('reads HAVEN_PREVIOUS_MASTER_KEYS, comma-separated, only beside HAVEN_MASTER_KEY', () => {
    const config = loadConfig({ HAVEN_MASTER_KEY: b, HAVEN_PREVIOUS_MASTER_KEYS: ` ${a} , ` });
    expect(config.previousMasterKeys).toEqual([a]);
    const ring = loadKeyRing({ masterKey: config.masterKey, dataDir: dir, previousMasterKeys: config.previousMasterKeys });
    expect(ring.open(keyRingFromMasterKey(a).seal('Jan', 'ctx'), 'ctx')).toBe('Jan');
    expect(() => loadConfig({ HAVEN_PREVIOUS_MASTER_KEYS: a })).toThrow(/HAVEN_PREVIOUS_MASTER_KEYS/);
    expect(() => loadKeyRing({ masterKey: undefined, dataDir: dir, previousMasterKeys: [a] })).toThrow(KeyError);
    expect(() => keyRingFromMasterKey(b, ['short'])).toThrow(/HAVEN_PREVIOUS_MASTER_KEYS entry 1/);
  });
});
