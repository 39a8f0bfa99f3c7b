import { hash, verify } from '@node-rs/argon2';
import { dictionary } from '@zxcvbn-ts/language-common';
import { z } from 'zod';

// OWASP's Argon2id minimum (m=19 MiB, t=2, p=1). The algorithm defaults to Argon2id.
const ARGON2 = { memoryCost: 19_456, timeCost: 2, parallelism: 1 };

let common: Set<string> | undefined;
/** The ~50,000 most common passwords (zxcvbn-ts list), compared case-insensitively. */
export function isCommonPassword(password: string): boolean {
  common ??= new Set((dictionary['passwords-common'] as string[]).map((p) => p.toLowerCase()));
  const p = password.toLowerCase();
  if (common.has(p)) return true;
  // A common password repeated or padded with digits is still common ("password1234").
  const stripped = p.replace(/[0-9!?.]+$/, '');
  return stripped.length > 0 && common.has(stripped) && stripped.length >= 6;
}

/** ASVS 6.2: at least 12 characters, at most 128, not a common password; any character allowed. */
export const passwordSchema = z
  .string()
  .min(12)
  .max(128)
  .refine((p) => !isCommonPassword(p), { message: 'password_common' });

export function hashPassword(password: string): Promise<string> {
  return hash(password.normalize('NFC'), ARGON2);
}

export async function verifyPassword(hashed: string, password: string): Promise<boolean> {
  try {
    return await verify(hashed, password.normalize('NFC'));
  } catch {
    return false;
  }
}

let dummy: Promise<string> | undefined;
/** Verifying against this when the account does not exist keeps the answer time the same. */
export function dummyHash(): Promise<string> {
  dummy ??= hashPassword('haven-dummy-password-for-timing');
  return dummy;
}
