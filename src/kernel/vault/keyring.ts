import { createCipheriv, createDecipheriv, createHmac, createSecretKey, hkdfSync, randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';

/**
 * The keys that protect identifying data at rest. Values are sealed with AES-256-GCM under the
 * active key; each sealed value names its key id, so keys can rotate and old values stay readable.
 * Look-ups by phone or number use a keyed hash (HMAC-SHA-256) with a separate key.
 */
export interface KeyRing {
  activeKeyId: string;
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

/** From HAVEN_MASTER_KEY (32 random bytes, base64): encryption and HMAC keys are derived apart. */
export function keyRingFromMasterKey(masterKeyB64: string): KeyRing {
  const master = decodeKey(masterKeyB64.trim(), 'HAVEN_MASTER_KEY');
  const enc = Buffer.from(hkdfSync('sha256', master, Buffer.alloc(0), 'haven/vault/aes-256-gcm/k1', 32));
  const mac = Buffer.from(hkdfSync('sha256', master, Buffer.alloc(0), 'haven/vault/hmac-sha256', 32));
  return ring(new Map([['m1', enc]]), 'm1', mac);
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
  const mode = statSync(file).mode & 0o777;
  if (mode & 0o077) throw new KeyError(`Key file ${file} is readable by others (mode ${mode.toString(8)}): chmod 600 it`);
  const parsed = keyFileSchema.safeParse(JSON.parse(readFileSync(file, 'utf8')));
  if (!parsed.success) throw new KeyError(`Key file ${file} is not valid`);
  const keys = new Map(parsed.data.keys.map((k) => [k.id, decodeKey(k.key, `key ${k.id}`)]));
  return ring(keys, parsed.data.active, decodeKey(parsed.data.hmacKey, 'hmacKey'));
}

export function loadKeyRing(opts: { masterKey: string | undefined; dataDir: string }): KeyRing {
  if (opts.masterKey) return keyRingFromMasterKey(opts.masterKey);
  return keyRingFromFile(path.join(opts.dataDir, 'haven.key'));
}

/** A throwaway ring for tests. */
export function ephemeralKeyRing(): KeyRing {
  return keyRingFromMasterKey(randomBytes(32).toString('base64'));
}
