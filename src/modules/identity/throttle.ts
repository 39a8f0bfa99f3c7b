import { sql } from 'kysely';
import type { Db } from '../../kernel/db/database.ts';
import type { Tx } from '../../kernel/http/context.ts';
import type { KeyRing } from '../../kernel/vault/keyring.ts';

/**
 * Login throttling, kept in the database so that every Haven process sees the same counts.
 * Keys are keyed hashes: the table never holds an e-mail address or an IP in clear.
 * The account key is taken from the submitted address whether or not an account exists,
 * so the answer never tells whether it does (no enumeration).
 */
export const THROTTLE = {
  windowMs: 15 * 60_000,
  perAccount: 5,
  perIp: 30,
};

export interface ThrottleKeys {
  account: string;
  ip: string;
}

export function throttleKeys(keys: KeyRing, email: string, ip: string): ThrottleKeys {
  return { account: `a:${keys.lookupHash(email, 'throttle')}`, ip: `i:${keys.lookupHash(ip, 'throttle')}` };
}

/** Seconds until a new attempt is allowed, or 0 when one is allowed now. */
export async function throttleWait(db: Db | Tx, k: ThrottleKeys): Promise<number> {
  const since = new Date(Date.now() - THROTTLE.windowMs);
  const rows = await db
    .selectFrom('login_failures')
    .select(['key', (eb) => eb.fn.countAll<number>().as('n'), (eb) => eb.fn.min('at').as('first')])
    .where('key', 'in', [k.account, k.ip])
    .where('at', '>', since)
    .groupBy('key')
    .execute();
  let wait = 0;
  for (const r of rows) {
    const limit = r.key === k.account ? THROTTLE.perAccount : THROTTLE.perIp;
    if (Number(r.n) >= limit) {
      const first = new Date(r.first as Date).getTime();
      wait = Math.max(wait, Math.ceil((first + THROTTLE.windowMs - Date.now()) / 1000));
    }
  }
  return Math.max(0, wait);
}

// Any constant: the lock that makes "count, then add" one step across requests and processes.
const THROTTLE_LOCK = 7_240_003;

/**
 * Counts an attempt before the secret is checked, or answers how long to wait (seconds, > 0).
 * Counting first, under a lock, keeps parallel requests from all slipping in under the limit
 * while their passwords are being hashed. A successful attempt gives its place back
 * (`attemptSucceeded`); a failed one stays counted.
 */
export async function takeAttempt(db: Db, k: ThrottleKeys): Promise<{ wait: number; at: Date | null }> {
  return db.transaction().execute(async (tx) => {
    await sql`SELECT pg_advisory_xact_lock(${THROTTLE_LOCK})`.execute(tx);
    const wait = await throttleWait(tx, k);
    if (wait > 0) return { wait, at: null };
    const at = new Date();
    await tx
      .insertInto('login_failures')
      .values([
        { key: k.account, at },
        { key: k.ip, at },
      ])
      .execute();
    // Old failures are of no use any more.
    await tx
      .deleteFrom('login_failures')
      .where('at', '<', new Date(Date.now() - 2 * THROTTLE.windowMs))
      .execute();
    return { wait: 0, at };
  });
}

/** The attempt succeeded: the account starts afresh and the address gets this attempt back. */
export async function attemptSucceeded(db: Db, k: ThrottleKeys, at: Date | null): Promise<void> {
  await clearAccountFailures(db, k.account);
  if (at) {
    await sql`DELETE FROM login_failures WHERE ctid IN (SELECT ctid FROM login_failures WHERE key = ${k.ip} AND at = ${at} LIMIT 1)`.execute(db);
  }
}

export async function clearAccountFailures(db: Db, accountKey: string): Promise<void> {
  await db.deleteFrom('login_failures').where('key', '=', accountKey).execute();
}
