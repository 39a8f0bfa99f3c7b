import type { Db } from '../../kernel/db/database.ts';
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

export function throttleKeys(keys: KeyRing, email: string, ip: string): { account: string; ip: string } {
  return { account: `a:${keys.lookupHash(email, 'throttle')}`, ip: `i:${keys.lookupHash(ip, 'throttle')}` };
}

/** Seconds until a new attempt is allowed, or 0 when one is allowed now. */
export async function throttleWait(db: Db, k: { account: string; ip: string }): Promise<number> {
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

export async function recordFailure(db: Db, k: { account: string; ip: string }): Promise<void> {
  await db
    .insertInto('login_failures')
    .values([{ key: k.account }, { key: k.ip }])
    .execute();
  // Old failures are of no use any more.
  await db
    .deleteFrom('login_failures')
    .where('at', '<', new Date(Date.now() - 2 * THROTTLE.windowMs))
    .execute();
}

export async function clearAccountFailures(db: Db, accountKey: string): Promise<void> {
  await db.deleteFrom('login_failures').where('key', '=', accountKey).execute();
}
