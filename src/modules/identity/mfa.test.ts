import type { LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GLOBAL_ROLES, ROLES, type Role } from '../../kernel/authz/permissions.ts';
import { parseCookie, type TestServer, type TestUser, testServer } from '../../testing/server.ts';
import { THROTTLE } from './throttle.ts';
import { currentTotp } from './totp.ts';

let s: TestServer;
let programmeId: string;
beforeAll(async () => {
  s = await testServer();
  programmeId = (await s.createProgramme()).programmeId;
});
afterAll(() => s.close());

let ipCounter = 10;
const newIp = () => `198.51.100.${ipCounter++}`;
const grant = (role: Role) => ({ role, programmeId: GLOBAL_ROLES.includes(role) ? null : programmeId });

interface Pending {
  cookie: string;
  csrf: string;
  post(url: string, body?: unknown): Promise<LightMyRequestResponse>;
  get(url: string): Promise<LightMyRequestResponse>;
}

/** Password only: returns the half-signed-in session and the step the server asks for next. */
async function passwordStep(user: TestUser, ip = newIp()): Promise<Pending & { next: string }> {
  const r = await s.app.inject({ method: 'POST', url: '/api/auth/login', payload: { email: user.email, password: user.password }, remoteAddress: ip });
  expect(r.statusCode).toBe(200);
  const cookie = parseCookie(r) as string;
  const csrf = (await s.app.inject({ method: 'GET', url: '/api/session', headers: { cookie } })).json().csrfToken as string;
  return {
    next: r.json().next,
    cookie,
    csrf,
    post: (url, body) =>
      s.app.inject({
        method: 'POST',
        url,
        headers: { cookie, 'x-csrf-token': csrf },
        remoteAddress: ip,
        ...(body !== undefined ? { payload: body as object } : {}),
      }),
    get: (url) => s.app.inject({ method: 'GET', url, headers: { cookie } }),
  };
}

const stepNow = () => Math.floor(Date.now() / 1000 / 30);
const codeAt = (secret: string, step: number) => currentTotp(secret, step * 30 + 1);

/** A user who enrolled through the API: returns the secret and the recovery codes. */
async function enrolled(role: Role = 'coordinator'): Promise<{ user: TestUser; secret: string; codes: string[] }> {
  const user = await s.createUser([grant(role)], { mfa: false });
  const p = await passwordStep(user);
  expect(p.next).toBe('enrol');
  const start = await p.post('/api/auth/mfa/enrolment');
  expect(start.statusCode).toBe(200);
  const secret = start.json().secret as string;
  const confirm = await p.post('/api/auth/mfa/enrolment/confirm', { code: await currentTotp(secret) });
  expect(confirm.statusCode).toBe(200);
  return { user: { ...user, totpSecret: secret }, secret, codes: confirm.json().recoveryCodes };
}

describe('MFA is mandatory', () => {
  it.each(ROLES)('for %s unless the user only sees aggregates', async (role) => {
    const user = await s.createUser([grant(role)], { mfa: false });
    const p = await passwordStep(user);
    expect(p.next).toBe(role === 'analyst' ? 'done' : 'enrol');
    expect((await p.get('/api/session')).json().state).toBe(role === 'analyst' ? 'active' : 'mfa_enrolment');
  });

  it('for an analyst who also holds another role, and for a user with no role', async () => {
    const both = await s.createUser([grant('analyst'), grant('caller')], { mfa: false });
    expect((await passwordStep(both)).next).toBe('enrol');
    const none = await s.createUser([], { mfa: false });
    expect((await passwordStep(none)).next).toBe('enrol');
  });

  it('keeps a session that must enrol out of everything but enrolment', async () => {
    const user = await s.createUser([grant('administrator')], { mfa: false });
    const p = await passwordStep(user);
    for (const url of ['/api/users', '/api/programmes', '/api/audit', `/api/programmes/${programmeId}`]) {
      const r = await p.get(url);
      expect(r.statusCode).toBe(401);
      expect(r.json().code).toBe('mfa_required');
    }
    const write = await p.post('/api/organisations', { name: 'Sneaky CAW', kind: 'caw' });
    expect(write.statusCode).toBe(401);
    expect(write.json().code).toBe('mfa_required');
    // The challenge is the wrong step for someone who has no authenticator yet.
    expect((await p.post('/api/auth/mfa', { code: '123456' })).statusCode).toBe(409);
  });

  it('enrols with a first code, gives ten one-time recovery codes and a new session id', async () => {
    const user = await s.createUser([grant('caller')], { mfa: false });
    const p = await passwordStep(user);
    const start = await p.post('/api/auth/mfa/enrolment');
    expect(start.json().uri).toMatch(/^otpauth:\/\/totp\/Haven:/);
    expect(start.json().qrSvg).toContain('<svg');
    const secret = start.json().secret as string;
    const wrong = await p.post('/api/auth/mfa/enrolment/confirm', { code: '000000' });
    expect(wrong.statusCode).toBe(400);
    expect(wrong.json().errors[0]).toMatchObject({ field: 'code', code: 'invalid_code' });
    const ok = await p.post('/api/auth/mfa/enrolment/confirm', { code: await currentTotp(secret) });
    expect(ok.statusCode).toBe(200);
    const codes = ok.json().recoveryCodes as string[];
    expect(codes).toHaveLength(10);
    expect(new Set(codes).size).toBe(10);
    for (const c of codes) expect(c).toMatch(/^[a-z2-9]{4}-[a-z2-9]{4}-[a-z2-9]{4}$/);
    const cookie = parseCookie(ok) as string;
    expect(cookie).not.toBe(p.cookie);
    expect((await p.get('/api/session')).statusCode).toBe(401);
    expect((await s.app.inject({ method: 'GET', url: '/api/programmes', headers: { cookie } })).statusCode).toBe(200);
    // The secret is sealed at rest, the recovery codes hashed.
    const row = await s.database.db.selectFrom('users').select('totp_secret').where('id', '=', user.id).executeTakeFirstOrThrow();
    expect(row.totp_secret).not.toContain(secret);
    expect(s.keys.open(row.totp_secret as string, 'users.totp_secret')).toBe(secret);
    const stored = await s.database.db.selectFrom('recovery_codes').select('code_hash').where('user_id', '=', user.id).execute();
    expect(stored).toHaveLength(10);
    for (const r of stored) expect(codes).not.toContain(r.code_hash);
  });
});

describe('TOTP codes', () => {
  it('work once: the same code is refused the second time', async () => {
    const { user, secret } = await enrolled();
    // Enrolment used this step's code already.
    const row = await s.database.db.selectFrom('users').select('totp_last_step').where('id', '=', user.id).executeTakeFirstOrThrow();
    const step = row.totp_last_step as number;
    expect(Math.abs(step - stepNow())).toBeLessThanOrEqual(1);
    const first = await passwordStep(user);
    const replay = await first.post('/api/auth/mfa', { code: await codeAt(secret, step) });
    expect(replay.statusCode).toBe(401);
    expect(replay.json().code).toBe('invalid_code');
    const next = await first.post('/api/auth/mfa', { code: await codeAt(secret, step + 1) });
    expect(next.statusCode).toBe(200);
    const second = await passwordStep(user);
    const again = await second.post('/api/auth/mfa', { code: await codeAt(secret, step + 1) });
    expect(again.statusCode).toBe(401);
    // A code older than the last one used is refused too.
    expect((await second.post('/api/auth/mfa', { code: await codeAt(secret, step) })).statusCode).toBe(401);
  });

  it('work once even when the same code is sent twice at the same moment', async () => {
    const user = await s.createUser([grant('coordinator')]);
    const a = await passwordStep(user);
    const b = await passwordStep(user);
    const code = await codeAt(user.totpSecret as string, stepNow());
    const results = await Promise.all([a.post('/api/auth/mfa', { code }), b.post('/api/auth/mfa', { code })]);
    expect(results.map((r) => r.statusCode).sort()).toEqual([200, 401]);
  });

  it('are refused outside the one-step clock drift', async () => {
    const user = await s.createUser([grant('coordinator')]);
    const p = await passwordStep(user);
    expect((await p.post('/api/auth/mfa', { code: await codeAt(user.totpSecret as string, stepNow() + 3) })).statusCode).toBe(401);
    expect((await p.post('/api/auth/mfa', { code: await codeAt(user.totpSecret as string, stepNow() - 3) })).statusCode).toBe(401);
  });

  it('are throttled: five wrong codes, then 429 even for the right one', async () => {
    const user = await s.createUser([grant('coordinator')]);
    const p = await passwordStep(user);
    for (let i = 0; i < THROTTLE.perAccount; i++) expect((await p.post('/api/auth/mfa', { code: '000000' })).statusCode).toBe(401);
    const r = await p.post('/api/auth/mfa', { code: await currentTotp(user.totpSecret as string) });
    expect(r.statusCode).toBe(429);
    expect(r.json().detail).toContain('15 minutes');
    const failures = await s.database.db
      .selectFrom('audit_events')
      .select('seq')
      .where('action', '=', 'auth.mfa_failed')
      .where('record_id', '=', user.id)
      .execute();
    expect(failures).toHaveLength(THROTTLE.perAccount);
  });
});

describe('recovery codes', () => {
  it('work once each and count down', async () => {
    const { user, codes } = await enrolled();
    const first = await passwordStep(user);
    const used = await first.post('/api/auth/mfa', { code: codes[0] });
    expect(used.statusCode).toBe(200);
    expect(used.json()).toEqual({ next: 'done', recoveryCodesLeft: 9 });
    const second = await passwordStep(user);
    const again = await second.post('/api/auth/mfa', { code: codes[0] });
    expect(again.statusCode).toBe(401);
    // Upper case, no dashes: the same code.
    const other = await second.post('/api/auth/mfa', { code: (codes[1] as string).replace(/-/g, '').toUpperCase() });
    expect(other.statusCode).toBe(200);
    expect(other.json().recoveryCodesLeft).toBe(8);
    const audit = await s.database.db
      .selectFrom('audit_events')
      .select('details')
      .where('action', '=', 'auth.recovery_code_used')
      .where('record_id', '=', user.id)
      .orderBy('seq')
      .execute();
    expect(audit.map((a) => a.details.left)).toEqual([9, 8]);
  });

  it('work once even when the same code is sent twice at the same moment', async () => {
    const { user, codes } = await enrolled();
    const a = await passwordStep(user);
    const b = await passwordStep(user);
    const results = await Promise.all([a.post('/api/auth/mfa', { code: codes[2] }), b.post('/api/auth/mfa', { code: codes[2] })]);
    expect(results.map((r) => r.statusCode).sort()).toEqual([200, 401]);
    const left = await s.database.db.selectFrom('recovery_codes').select('used_at').where('user_id', '=', user.id).where('used_at', 'is not', null).execute();
    expect(left).toHaveLength(1);
  });

  it('belong to one user', async () => {
    const { codes } = await enrolled();
    const other = await s.createUser([grant('coordinator')]);
    const p = await passwordStep(other);
    expect((await p.post('/api/auth/mfa', { code: codes[3] })).statusCode).toBe(401);
  });
});

describe('resetting my authenticator', () => {
  it('needs the password and a current code, then asks to enrol again', async () => {
    const user = await s.createUser([grant('coordinator')]);
    const session = await s.signIn(user);
    const other = await s.signIn(user);
    const nextCode = async () => codeAt(user.totpSecret as string, stepNow() + 1);
    const badPassword = await session.request('POST', '/api/me/mfa/reset', { currentPassword: 'not my password', code: await nextCode() });
    expect(badPassword.statusCode).toBe(400);
    expect(badPassword.json().errors).toEqual([{ field: 'currentPassword', code: 'wrong_password', message: 'The password is not correct.' }]);
    const badCode = await session.request('POST', '/api/me/mfa/reset', { currentPassword: user.password, code: '000000' }, { 'accept-language': 'fr' });
    expect(badCode.statusCode).toBe(400);
    expect(badCode.json().errors[0]).toMatchObject({ field: 'code', code: 'invalid_code' });
    expect(badCode.json().errors[0].message).not.toBe('That code is not valid.');
    expect((await session.request('GET', '/api/programmes')).statusCode).toBe(200);
    const ok = await session.request('POST', '/api/me/mfa/reset', { currentPassword: user.password, code: await nextCode() });
    expect(ok.statusCode).toBe(200);
    expect(ok.json()).toEqual({ next: 'enrol' });
    const cookie = parseCookie(ok) as string;
    expect(cookie).not.toBe(session.cookie);
    const me = await s.app.inject({ method: 'GET', url: '/api/session', headers: { cookie } });
    expect(me.json()).toMatchObject({ state: 'mfa_enrolment', user: { mfaEnabled: false } });
    expect((await s.app.inject({ method: 'GET', url: '/api/programmes', headers: { cookie } })).statusCode).toBe(401);
    expect((await other.request('GET', '/api/session')).statusCode).toBe(401);
    expect((await session.request('GET', '/api/session')).statusCode).toBe(401);
    const audit = await s.database.db
      .selectFrom('audit_events')
      .select(['action', 'outcome'])
      .where('record_id', '=', user.id)
      .where('action', 'like', 'auth.%')
      .execute();
    expect(audit.filter((a) => a.action === 'auth.reauth_failed')).toHaveLength(2);
    expect(audit.some((a) => a.action === 'auth.mfa_reset')).toBe(true);
  });

  it('can be done by an administrator for a lost phone: the user’s sessions end and enrolment follows', async () => {
    const admin = await s.signIn(await s.createUser('administrator'));
    const user = await s.createUser([grant('caller')]);
    const session = await s.signIn(user);
    const r = await admin.request('POST', `/api/users/${user.id}/mfa-reset`);
    expect(r.statusCode).toBe(200);
    expect(r.json().mfaEnabled).toBe(false);
    expect((await session.request('GET', '/api/session')).statusCode).toBe(401);
    expect((await passwordStep(user)).next).toBe('enrol');
    expect(await s.database.db.selectFrom('recovery_codes').select('code_hash').where('user_id', '=', user.id).execute()).toEqual([]);
    // Not on oneself: that goes through re-authentication.
    const self = await admin.request('POST', `/api/users/${(await admin.request('GET', '/api/session')).json().user.id}/mfa-reset`);
    expect(self.statusCode).toBe(409);
    expect(self.json().code).toBe('use_own_mfa_reset');
  });

  it('is not for a user without an authenticator', async () => {
    const user = await s.createUser([grant('analyst')], { mfa: false });
    const p = await passwordStep(user);
    expect(p.next).toBe('done');
    const r = await p.post('/api/me/mfa/reset', { currentPassword: user.password, code: '123456' });
    expect(r.statusCode).toBe(409);
  });
});
