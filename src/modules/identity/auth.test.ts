import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseCookie, type TestServer, testServer } from '../../testing/server.ts';
import { currentTotp } from './totp.ts';

let s: TestServer;
beforeAll(async () => {
  s = await testServer();
});
afterAll(() => s.close());

describe('sign-in', () => {
  it('signs in with password then TOTP, and the session carries the roles', async () => {
    const user = await s.createUser('administrator');
    const session = await s.signIn(user);
    const me = await session.request('GET', '/api/session');
    expect(me.statusCode).toBe(200);
    expect(me.json().state).toBe('active');
    expect(me.json().permissions).toContain('users.manage');
  });

  it('answers a wrong password and an unknown account the same way', async () => {
    const user = await s.createUser('dpo');
    const wrong = await s.app.inject({ method: 'POST', url: '/api/auth/login', payload: { email: user.email, password: 'not the password at all' } });
    const unknown = await s.app.inject({
      method: 'POST',
      url: '/api/auth/login',
      payload: { email: 'nobody@example.test', password: 'not the password at all' },
    });
    expect(wrong.statusCode).toBe(401);
    expect(unknown.statusCode).toBe(401);
    expect(wrong.json().detail).toBe(unknown.json().detail);
    expect(wrong.headers['content-type']).toContain('application/problem+json');
  });

  it('keeps a half-signed-in session out of everything but the MFA step', async () => {
    const user = await s.createUser('administrator');
    const login = await s.app.inject({ method: 'POST', url: '/api/auth/login', payload: { email: user.email, password: user.password } });
    expect(login.json().next).toBe('mfa');
    const cookie = parseCookie(login) as string;
    const users = await s.app.inject({ method: 'GET', url: '/api/users', headers: { cookie } });
    expect(users.statusCode).toBe(401);
    expect(users.json().code).toBe('mfa_required');
    const csrf = (await s.app.inject({ method: 'GET', url: '/api/session', headers: { cookie } })).json().csrfToken;
    const mfa = await s.app.inject({
      method: 'POST',
      url: '/api/auth/mfa',
      headers: { cookie, 'x-csrf-token': csrf },
      payload: { code: await currentTotp(user.totpSecret as string) },
    });
    expect(mfa.statusCode).toBe(200);
    const newCookie = parseCookie(mfa) as string;
    expect(newCookie).not.toBe(cookie);
    // the pre-MFA session id is dead
    expect((await s.app.inject({ method: 'GET', url: '/api/session', headers: { cookie } })).statusCode).toBe(401);
    expect((await s.app.inject({ method: 'GET', url: '/api/users', headers: { cookie: newCookie } })).statusCode).toBe(200);
  });
});
