import { createCipheriv, createDecipheriv, createHmac, createSecretKey, hkdfSync, randomBytes } from 'node:crypto';
import { chmodSync, closeSync, existsSync, fsyncSync, mkdirSync, openSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';

/**
 * The keys that protect identifying data at rest. Values are sealed with AES-256-GCM under the
 * active key; each sealed value names its key id, so keys can rotate and old values stay readable.
 * Look-ups by phone or number use a keyed hash (HMAC-SHA-256) with a separate key.
 */
export interface KeyRing {
  activeKeyId: string;
  /** Every key id this ring can open, the active one included. */
  keyIds: readonly string[];
  seal(plaintext: string, context: string): string;
  open(sealed: string, context: string): string;
  /** Keyed hash for equality look-ups: same input and purpose give the same hex digest. */
  lookupHash(value: string, purpose: string): string;
}

const keyFileSchema = z.object({
  version: z.literal(1),
  active: z.string().min(1),
  keys: z.array(z.object({ id: z.string().min(1), key: z.string(), createdAt: z.string() })).min(1),
  hmacKey: z.string(),
});
type KeyFile = z.infer<typeof keyFileSchema>;

export class KeyError extends Error {}

const TAG_BYTES = 16;

function decodeKey(b64: string, what: string): Buffer {
  const key = Buffer.from(b64, 'base64');
  if (key.length !== 32) throw new KeyError(`${what} must be 32 bytes, base64-encoded`);
  return key;
}

function ring(rawKeys: Map<string, Buffer>, active: string, rawHmacKey: Buffer): KeyRing {
  // KeyObjects are imported into OpenSSL once: sealing is ~3× and hashing ~6× faster than from
  // a Buffer at every call, which an import of 100,000 rows feels (docs/benchmarks.md).
  const keys = new Map([...rawKeys].map(([id, k]) => [id, createSecretKey(k)]));
  const hmacKey = createSecretKey(rawHmacKey);
  const activeKey = keys.get(active);
  if (!activeKey) throw new KeyError(`Active key ${active} is not in the key ring`);
  return {
    activeKeyId: active,
    keyIds: [...keys.keys()],
    seal(plaintext, context) {
      const iv = randomBytes(12);
      const cipher = createCipheriv('aes-256-gcm', activeKey, iv);
      cipher.setAAD(Buffer.from(context));
      const ct = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final(), cipher.getAuthTag()]);
      return `v1.${active}.${iv.toString('base64url')}.${ct.toString('base64url')}`;
    },
    open(sealed, context) {
      const [v, kid, ivText, ctText] = sealed.split('.');
      if (v !== 'v1' || !kid || !ivText || !ctText) throw new KeyError('Not a sealed value');
      const key = keys.get(kid);
      if (!key) throw new KeyError(`Key ${kid} is not in the key ring`);
      const data = Buffer.from(ctText, 'base64url');
      // The full 128-bit tag, always: GCM would otherwise accept a tag cut down to 4 bytes.
      if (data.length < TAG_BYTES) throw new KeyError('Not a sealed value');
      const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(ivText, 'base64url'), { authTagLength: TAG_BYTES });
      decipher.setAAD(Buffer.from(context));
      decipher.setAuthTag(data.subarray(data.length - TAG_BYTES));
      return Buffer.concat([decipher.update(data.subarray(0, data.length - TAG_BYTES)), decipher.final()]).toString('utf8');
    },
    lookupHash(value, purpose) {
      return createHmac('sha256', hmacKey).update(`${purpose}\u0000${value}`).digest('hex');
    },
  };
}

const derive = (master: Buffer, info: string) => Buffer.from(hkdfSync('sha256', master, Buffer.alloc(0), info, 32));

/** The key id of a master key: `m1` for the original one, else `m` + 8 hex digits derived from it. */
function masterKeyId(master: Buffer, original: boolean): string {
  return original ? 'm1' : `m${derive(master, 'haven/vault/key-id').subarray(0, 4).toString('hex')}`;
}

/**
 * From HAVEN_MASTER_KEY (32 random bytes, base64): encryption and HMAC keys are derived apart.
 *
 * After a rotation, `previous` (HAVEN_PREVIOUS_MASTER_KEYS) lists the master keys used before,
 * **oldest first**. The oldest — the original, or the only key when there is no previous one —
 * keeps the key id `m1` and is where the look-up (HMAC) key comes from: look-up hashes cannot be
 * recomputed once the data behind them is purged, so they never change. Every other master key
 * gets a key id derived from itself, so its values open whatever the order of the list.
 */
export function keyRingFromMasterKey(masterKeyB64: string, previous: readonly string[] = []): KeyRing {
  const current = decodeKey(masterKeyB64.trim(), 'HAVEN_MASTER_KEY');
  const older = previous.map((k, i) => decodeKey(k.trim(), `HAVEN_PREVIOUS_MASTER_KEYS entry ${i + 1}`));
  const original = older[0] ?? current;
  const keys = new Map<string, Buffer>();
  let active = '';
  for (const master of [...older, current]) {
    const id = masterKeyId(master, master.equals(original));
    const enc = derive(master, 'haven/vault/aes-256-gcm/k1');
    const known = keys.get(id);
    if (known && !known.equals(enc)) throw new KeyError(`Two master keys share the key id ${id}: generate another one`);
    keys.set(id, enc);
    if (master === current) active = id;
  }
  return ring(keys, active, derive(original, 'haven/vault/hmac-sha256'));
}

export function newKeyFile(): KeyFile {
  return {
    version: 1,
    active: 'k1',
    keys: [{ id: 'k1', key: randomBytes(32).toString('base64'), createdAt: new Date().toISOString() }],
    hmacKey: randomBytes(32).toString('base64'),
  };
}

/** Reads the key file, creating it (mode 0600) when absent. Refuses a file others can read. */
export function keyRingFromFile(file: string): KeyRing {
  if (!existsSync(file)) {
    mkdirSync(path.dirname(file), { recursive: true });
    writeFileSync(file, `${JSON.stringify(newKeyFile(), null, 2)}\n`, { mode: 0o600, flag: 'wx' });
    chmodSync(file, 0o600);
  }
  const content = readKeyFile(file);
  const keys = new Map(content.keys.map((k) => [k.id, decodeKey(k.key, `key ${k.id}`)]));
  return ring(keys, content.active, decodeKey(content.hmacKey, 'hmacKey'));
}

export function loadKeyRing(opts: { masterKey: string | undefined; dataDir: string; previousMasterKeys?: readonly string[] }): KeyRing {
  if (opts.masterKey) return keyRingFromMasterKey(opts.masterKey, opts.previousMasterKeys ?? []);
  if (opts.previousMasterKeys?.length) throw new KeyError('HAVEN_PREVIOUS_MASTER_KEYS needs HAVEN_MASTER_KEY');
  return keyRingFromFile(keyFilePath(opts.dataDir));
}

export const keyFilePath = (dataDir: string) => path.join(dataDir, 'haven.key');

function readKeyFile(file: string): KeyFile {
  const mode = statSync(file).mode & 0o777;
  if (mode & 0o077) throw new KeyError(`Key file ${file} is readable by others (mode ${mode.toString(8)}): chmod 600 it`);
  const parsed = keyFileSchema.safeParse(JSON.parse(readFileSync(file, 'utf8')));
  if (!parsed.success) throw new KeyError(`Key file ${file} is not valid`);
  return parsed.data;
}

/** Replaces the key file in one step (a new file, mode 0600, synced, renamed over the old one). */
function writeKeyFile(file: string, content: KeyFile): void {
  const tmp = `${file}.${process.pid}.tmp`;
  rmSync(tmp, { force: true });
  const fd = openSync(tmp, 'wx', 0o600);
  try {
    writeFileSync(fd, `${JSON.stringify(content, null, 2)}\n`);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  chmodSync(tmp, 0o600);
  renameSync(tmp, file);
  const dir = openSync(path.dirname(file), 'r');
  try {
    fsyncSync(dir);
  } finally {
    closeSync(dir);
  }
}

/**
 * Adds a fresh key to the key file and makes it the active one; the old keys stay, so values
 * sealed under them still open until they are re-sealed (`haven keys rotate`).
 */
export function addKeyToFile(file: string): { previous: string; active: string } {
  const content = readKeyFile(file);
  const numbers = content.keys.map((k) => /^k(\d+)$/.exec(k.id)?.[1]).map((n) => Number(n ?? 0));
  const id = `k${Math.max(0, ...numbers) + 1}`;
  writeKeyFile(file, {
    ...content,
    active: id,
    keys: [...content.keys, { id, key: randomBytes(32).toString('base64'), createdAt: new Date().toISOString() }],
  });
  return { previous: content.active, active: id };
}

/** Removes a key that is no longer active from the key file. The caller checks that no value uses it. */
export function removeKeyFromFile(file: string, keyId: string): void {
  const content = readKeyFile(file);
  if (content.active === keyId) throw new KeyError(`Key ${keyId} is the active key: rotate first`);
  if (!content.keys.some((k) => k.id === keyId)) throw new KeyError(`Key ${keyId} is not in the key file`);
  writeKeyFile(file, { ...content, keys: content.keys.filter((k) => k.id !== keyId) });
}

/** A throwaway ring for tests. */
export function ephemeralKeyRing(): KeyRing {
  return keyRingFromMasterKey(randomBytes(32).toString('base64'));
}
