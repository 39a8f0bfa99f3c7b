/**
 * Several Haven processes behind a load balancer, one PostgreSQL database: nothing a second
 * process needs may live in the memory of the first. Two servers, two connection pools, one
 * database; a user bounces between them.
 */
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../kernel/config.ts';
import { type HavenDatabase, openPostgres } from '../kernel/db/database.ts';
import { THROTTLE } from '../modules/identity/throttle.ts';
import { currentTotp } from '../modules/identity/totp.ts';
import { engineName } from '../testing/database.ts';
import { parseCookie, type TestServer, testServer } from '../testing/server.ts';
import { buildServer } from './app.ts';

describe.runIf(engineName === 'postgres')('two servers on one PostgreSQL database', () => {
  let s: TestServer;
  let second: HavenDatabase;
  let other: FastifyInstance;
  let programmeId: string;

  beforeAll(async () => {
    s = await testServer();
    const url = new URL(process.env.HAVEN_TEST_DATABASE_URL as string);
    url.pathname = `/${(s.database as HavenDatabase & { name: string }).name}`;
    second = openPostgres(url.toString(), 4);
    const config = loadConfig({ NODE_ENV: 'test', HAVEN_DATA_DIR: '/nonexistent', HAVEN_LOG_LEVEL: 'silent' });
    // Same keys: in production both read HAVEN_MASTER_KEY.
    other = await buildServer({ config, database: second, keys: s.keys, logger: false });
    await other.ready();
    programmeId = (await s.createProgramme()).programmeId;
  });
  afterAll(async () => {
    await other?.close();
    await second?.close();
    await s?.close();
  });

  const on = (app: FastifyInstance, method: 'GET' | 'POST' | 'PUT', url: string, cookie: string, csrf?: string, payload?: object) =>
    app.inject({ method, url, headers: { cookie, ...(csrf ? { 'x-csrf-token': csrf } : {}) }, ...(payload ? { payload } : {}) });

  it('accepts on one server a session created through the other, CSRF token included', async () => {
    const user = await s.createUser([{ role: 'coordinator', programmeId }]);
    const session = await s.signIn(user);
    const me = await on(other, 'GET', '/api/session', session.cookie);
    expect(me.statusCode).toBe(200);
    expect(me.json()).toMatchObject({ state: 'active', user: { id: user.id }, csrfToken: session.csrf });
    expect((await on(other, 'GET', `/api/programmes/${programmeId}/members`, session.cookie)).statusCode).toBe(200);
    expect((await on(other, 'PUT', '/api/me/preferences', session.cookie, session.csrf, { locale: 'nl' })).statusCode).toBe(204);
    expect((await session.request('GET', '/api/session')).json().user.locale).toBe('nl');
  });

  it('finishes on one server the MFA step begun on the other', async () => {
    const user = await s.createUser('dpo');
    const login = await other.inject({ method: 'POST', url: '/api/auth/login', payload: { email: user.email, password: user.password } });
    expect(login.json().next).toBe('mfa');
    const pending = parseCookie(login) as string;
    const csrf = (await on(s.app, 'GET', '/api/session', pending)).json().csrfToken;
    const mfa = await on(s.app, 'POST', '/api/auth/mfa', pending, csrf, { code: await currentTotp(user.totpSecret as string) });
    expect(mfa.statusCode).toBe(200);
    const active = parseCookie(mfa) as string;
    expect((await on(other, 'GET', '/api/audit', active)).statusCode).toBe(200);
    expect((await on(other, 'GET', '/api/session', pending)).statusCode).toBe(401);
  });

  it('ends a session everywhere at logout on either server', async () => {
    const user = await s.createUser([{ role: 'caller', programmeId }]);
    const session = await s.signIn(user);
    expect((await on(other, 'POST', '/api/auth/logout', session.cookie, session.csrf)).statusCode).toBe(204);
    expect((await session.request('GET', '/api/session')).statusCode).toBe(401);
    expect((await on(other, 'GET', '/api/session', session.cookie)).statusCode).toBe(401);
  });

  it('ends the sessions of a user deactivated on the other server', async () => {
    const admin = await s.signIn(await s.createUser('administrator'));
    const user = await s.createUser([{ role: 'caller', programmeId }]);
    const session = await s.signIn(user);
    expect((await on(other, 'POST', `/api/users/${user.id}/deactivate`, admin.cookie, admin.csrf)).statusCode).toBe(200);
    expect((await session.request('GET', '/api/programmes')).statusCode).toBe(401);
  });

  it('counts failed sign-ins across servers', async () => {
    const user = await s.createUser([{ role: 'caller', programmeId }]);
    const apps = [s.app, other];
    const tries = await Promise.all(
      Array.from({ length: THROTTLE.perAccount + 3 }, (_, i) =>
        (apps[i % 2] as FastifyInstance).inject({
          method: 'POST',
          url: '/api/auth/login',
          payload: { email: user.email, password: 'not the password at all' },
          remoteAddress: '192.0.2.77',
        }),
      ),
    );
    expect(tries.filter((r) => r.statusCode === 401)).toHaveLength(THROTTLE.perAccount);
    for (const app of apps) {
      const r = await app.inject({
        method: 'POST',
        url: '/api/auth/login',
        payload: { email: user.email, password: user.password },
        remoteAddress: '192.0.2.78',
      });
      expect(r.statusCode).toBe(429);
    }
  });
});
