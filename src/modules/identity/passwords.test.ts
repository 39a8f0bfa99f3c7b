import { describe, expect, it } from 'vitest';
import { hashPassword, isCommonPassword, passwordSchema, verifyPassword } from './passwords.ts';

describe('password policy', () => {
  const check = (p: string) => {
    const r = passwordSchema.safeParse(p);
    return r.success ? 'ok' : r.error.issues.map((i) => (i.code === 'custom' ? i.message : i.code)).join(',');
  };

  it('needs 12 to 128 characters, any character allowed', () => {
    expect(check('k7#mQ2xr9!p')).toBe('too_small');
    expect(check('k7#mQ2xr9!pA')).toBe('ok');
    expect(check('x'.repeat(128))).toBe('ok');
    expect(check('x'.repeat(129))).toBe('too_big');
    expect(check('      spaces count too  ')).toBe('ok');
    expect(check('😀 emoji en accenten: é è ç')).toBe('ok');
  });

  it('refuses common passwords, also with a different case or digits added', () => {
    for (const p of ['qwerty123456', 'QWERTY123456', '1q2w3e4r5t6y', 'password1234', 'Password!!!!', 'iloveyou2024!', 'leavemealone']) {
      expect(isCommonPassword(p), p).toBe(true);
      expect(check(p), p).toBe('password_common');
    }
    expect(isCommonPassword('correct horse battery staple')).toBe(false);
    expect(isCommonPassword('Genk-Bree-Kinrooi-2024')).toBe(false);
  });
});

describe('password hashing', () => {
  it('stores Argon2id with the OWASP parameters and a fresh salt each time', async () => {
    const a = await hashPassword('a long and unusual passphrase');
    const b = await hashPassword('a long and unusual passphrase');
    expect(a).toMatch(/^\$argon2id\$v=19\$m=19456,t=2,p=1\$[A-Za-z0-9+/]+\$[A-Za-z0-9+/]+$/);
    expect(a).not.toBe(b);
    expect(await verifyPassword(a, 'a long and unusual passphrase')).toBe(true);
    expect(await verifyPassword(a, 'a long and unusual passphrasE')).toBe(false);
  });

  it('treats the two Unicode spellings of the same text as one password', async () => {
    const composed = 'café crème brûlée ok'.normalize('NFC');
    const decomposed = composed.normalize('NFD');
    expect(decomposed).not.toBe(composed);
    expect(await verifyPassword(await hashPassword(composed), decomposed)).toBe(true);
  });

  it('answers false, never throws, for a damaged hash', async () => {
    expect(await verifyPassword('not a hash', 'whatever password')).toBe(false);
    expect(await verifyPassword('', 'whatever password')).toBe(false);
  });
});
