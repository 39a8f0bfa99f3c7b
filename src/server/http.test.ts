import { Writable } from 'node:stream';
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../kernel/config.ts';
import { currentTotp } from '../modules/identity/totp.ts';
import { parseCookie, type Session, type TestServer, type TestUser, testServer } from '../testing/server.ts';
import { buildServer, collectRoutes } from './app.ts';
import { createLogger } from './logger.ts';
import { loadModules } from './modules.ts';

let s: TestServer;
let admin: Session;
let adminUser: TestUser;
beforeAll(async () => {
  s = await testServer();
  adminUser = await s.createUser('administrator');
  admin = await s.signIn(adminUser);
});
afterAll(() => s.close());

function expectProblem(r: LightMyRequestResponse, status: number, code: string) {
  expect(r.statusCode).toBe(status);
  expect(r.headers['content-type']).toMatch(/^application\/problem\+json/);
  const body = r.json();
  expect(body).toMatchObject({ status, code, type: `urn:haven:problem:${code}` });
  expect(typeof body.title).toBe('string');
  expect(typeof body.detail).toBe('string');
  expect(body.title).not.toContain('errors:');
  expect(body.detail).not.toContain('errors:');
  return body;
}

/** No stack trace, no SQL, no driver internals. */
function expectNothingInternal(text: string) {
  for (const leak of [
    /\bat .+\(.*:\d+:\d+\)/,
    /node_modules/,
    /\bselect\b.+\bfrom\b/i,
    /\binsert into\b/i,
    /relation "/,
    /syntax error/i,
    /\.ts:\d+/,
    /stack/i,
  ]) {
    expect(text).not.toMatch(leak);
  }
}

describe('problem+json for bad input', () => {
  const badOrganisation = { name: 'X', kind: 'castle' };

  it.each([
    ['en', 'Use at least 2 characters.', 'Choose one of:'],
    ['nl', 'Gebruik minstens 2 tekens.', 'Kies een van:'],
    ['fr', 'Utilisez au moins 2 caractères.', 'Choisissez'],
  ])('names each failing field with a message in the language asked for (%s)', async (lang, tooShort, choose) => {
    const r = await admin.request('POST', '/api/organisations', badOrganisation, { 'accept-language': `${lang}-BE,${lang};q=0.9,en;q=0.5` });
    const body = expectProblem(r, 400, 'validation');
    expect(body.errors).toEqual([
      { field: 'name', code: 'too_small', message: tooShort },
      { field: 'kind', code: 'invalid_value', message: expect.stringContaining(choose) },
    ]);
    expect(body.instance).toBe('/api/organisations');
    expect(body.requestId).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('speaks the language the user saved, over the browser’s', async () => {
    const user = await s.createUser('administrator');
    const session = await s.signIn(user);
    expect((await session.request('PUT', '/api/me/preferences', { locale: 'fr' })).statusCode).toBe(204);
    const r = await session.request('POST', '/api/organisations', badOrganisation, { 'accept-language': 'nl' });
    expect(r.json().title).toBe('Saisie invalide');
    expect(r.json().errors[0].message).toBe('Utilisez au moins 2 caractères.');
    const forbidden = await session.request('GET', `/api/programmes/00000000-0000-4000-8000-000000000000`, undefined, { 'accept-language': 'en' });
    expect(forbidden.json().detail).not.toBe('This does not exist, or it is not yours to see.');
    expect((await session.request('PUT', '/api/me/preferences', { locale: 'de' })).statusCode).toBe(204);
    expect((await session.request('POST', '/api/organisations', badOrganisation)).json().errors[0].message).toBe('Verwenden Sie mindestens 2 Zeichen.');
  });

  it('refuses unknown fields in the body and in the query string', async () => {
    const body = await admin.request('POST', '/api/organisations', { name: 'CAW Limburg', kind: 'caw', isAdmin: true });
    expect(expectProblem(body, 400, 'validation').errors).toEqual([{ field: 'isAdmin', code: 'unknown_field', message: 'This field is not allowed here.' }]);
    const query = await admin.request('GET', '/api/users?page=1&sort=password');
    expect(expectProblem(query, 400, 'validation').errors).toEqual([
      { field: 'query.sort', code: 'unknown_field', message: 'This field is not allowed here.' },
    ]);
    const params = await admin.request('GET', '/api/users/not-a-uuid');
    expect(expectProblem(params, 400, 'validation').errors[0]).toMatchObject({ field: 'params.userId', code: 'invalid_format' });
    const noBody = await admin.request('POST', '/api/auth/mfa/enrolment', { unexpected: 1 });
    expect(expectProblem(noBody, 400, 'validation').errors).toEqual([{ field: 'body', code: 'unknown_field', message: 'This request takes no body.' }]);
  });

  it('refuses a body that is not JSON with 415', async () => {
    for (const [type, payload] of [
      ['text/plain', 'email=a@b.c'],
      ['application/x-www-form-urlencoded', 'email=a%40b.c&password=x'],
      ['multipart/form-data; boundary=x', '--x\r\nContent-Disposition: form-data; name="email"\r\n\r\na@b.c\r\n--x--'],
      ['application/xml', '<login/>'],
    ] as const) {
      const r = await s.app.inject({ method: 'POST', url: '/api/auth/login', payload, headers: { 'content-type': type } });
      expectProblem(r, 415, 'unsupported_media_type');
    }
  });

  it('refuses malformed JSON with 400', async () => {
    for (const payload of ['{"email": "a@b.c",', '{email: 1}', 'null x']) {
      const r = await s.app.inject({ method: 'POST', url: '/api/auth/login', payload, headers: { 'content-type': 'application/json' } });
      const body = expectProblem(r, 400, 'malformed_json');
      expectNothingInternal(r.body);
      expect(JSON.stringify(body)).not.toContain('Unexpected');
    }
  });

  it('refuses a body over the limit with 413', async () => {
    const limit = loadConfig({ NODE_ENV: 'test' }).bodyLimit;
    const payload = JSON.stringify({ email: 'a@b.c', password: 'x'.repeat(limit) });
    const r = await s.app.inject({ method: 'POST', url: '/api/auth/login', payload, headers: { 'content-type': 'application/json' } });
    expectProblem(r, 413, 'payload_too_large');
  });

  it('answers an unknown /api path with a 404 problem, whatever the method', async () => {
    for (const [method, url] of [
      ['GET', '/api/nope'],
      ['POST', '/api/nope'],
      ['DELETE', '/api/users'],
      ['GET', '/api'],
      ['GET', '/api/users/00000000-0000-4000-8000-000000000000/secrets'],
    ] as const) {
      const r = await s.app.inject({ method, url });
      expectProblem(r, 404, 'not_found');
      expect(r.headers['cache-control']).toBe('no-store');
    }
  });

  it('answers a database failure with a bare 500: no stack, no SQL', async () => {
    await sql`ALTER TABLE organisations RENAME TO organisations_moved`.execute(s.database.db);
    try {
      const r = await admin.request('GET', '/api/organisations');
      const body = expectProblem(r, 500, 'internal');
      expect(Object.keys(body).sort()).toEqual(['code', 'detail', 'instance', 'requestId', 'status', 'title', 'type']);
      expectNothingInternal(r.body);
      expect(r.body).not.toContain('organisations_moved');
      expect(r.body).not.toContain('does not exist');
    } finally {
      await sql`ALTER TABLE organisations_moved RENAME TO organisations`.execute(s.database.db);
    }
  });

  it('never lets internals into any error body', async () => {
    const answers = await Promise.all([
      s.app.inject({ method: 'POST', url: '/api/auth/login', payload: '{"x":', headers: { 'content-type': 'application/json' } }),
      admin.request('GET', '/api/users?page=-1'),
      admin.request('GET', `/api/audit?from=${'9'.repeat(50)}`),
      admin.request('POST', '/api/users', { email: 'x'.repeat(300) }),
      s.app.inject({ method: 'GET', url: '/api/session', headers: { cookie: 'haven_session=%00%ff' } }),
    ]);
    for (const r of answers) {
      expect(r.statusCode).toBeGreaterThanOrEqual(400);
      expect(r.statusCode).toBeLessThan(500);
      expectNothingInternal(r.body);
    }
  });
});

describe('security headers', () => {
  const csp = (r: LightMyRequestResponse) =>
    Object.fromEntries(
      String(r.headers['content-security-policy'])
        .split(';')
        .map((d) => d.trim())
        .filter(Boolean)
        .map((d) => {
          const [name, ...values] = d.split(/\s+/);
          return [name, values];
        }),
    ) as Record<string, string[]>;

  it.each(['/api/health', '/api/nope', '/api/docs', '/api/openapi.json', '/', '/users'])('are set on %s', async (url) => {
    const r = await s.app.inject({ method: 'GET', url });
    const policy = csp(r);
    expect(policy['script-src'], url).toBeDefined();
    expect(policy['script-src']).not.toContain("'unsafe-inline'");
    expect(policy['script-src']).not.toContain("'unsafe-eval'");
    expect(policy['frame-ancestors']).toEqual(["'none'"]);
    expect(policy['object-src']).toEqual(["'none'"]);
    expect(r.headers['x-content-type-options']).toBe('nosniff');
    expect(r.headers['x-frame-options']).toBe('DENY');
    expect(r.headers['referrer-policy']).toBe('no-referrer');
    expect(r.headers['strict-transport-security']).toBeUndefined();
    if (url.startsWith('/api')) expect(r.headers['cache-control']).toBe('no-store');
  });

  it('forbids caching every API answer that carries personal data, errors included', async () => {
    for (const r of [await admin.request('GET', '/api/users'), await admin.request('GET', '/api/session'), await s.anonymous.request('GET', '/api/users')]) {
      expect(r.headers['cache-control']).toBe('no-store');
    }
  });

  it('adds HSTS only when Haven is served over HTTPS', async () => {
    const config = loadConfig({ NODE_ENV: 'test', HAVEN_DATA_DIR: '/nonexistent', HAVEN_PUBLIC_URL: 'https://haven.genk.be' });
    const app = await buildServer({ config, database: s.database, keys: s.keys, logger: false });
    try {
      const r = await app.inject({ method: 'GET', url: '/api/health' });
      expect(r.headers['strict-transport-security']).toMatch(/^max-age=31536000; includeSubDomains/);
    } finally {
      await app.close();
    }
  });
});

describe('the API document', () => {
  it('is OpenAPI 3.1 and lists every route with its method', async () => {
    const r = await s.anonymous.request('GET', '/api/openapi.json');
    expect(r.statusCode).toBe(200);
    const doc = r.json();
    expect(doc.openapi).toBe('3.1.0');
    expect(doc.info.title).toBe('Haven API');
    const routes = collectRoutes(await loadModules());
    for (const route of routes) {
      const path = `/api${route.url.replace(/:([A-Za-z0-9_]+)/g, '{$1}')}`;
      const op = doc.paths[path]?.[route.method.toLowerCase()];
      expect(op, `${route.method} ${path}`).toBeDefined();
      expect(op.summary).toBe(route.summary);
      // Public routes need no session; all others say they need the cookie and the CSRF header.
      expect(op.security).toEqual(route.access === 'public' ? [] : [{ session: [], csrf: [] }]);
      if (route.body) expect(op.requestBody?.content?.['application/json']?.schema, `${route.method} ${path} body`).toBeDefined();
    }
    const documented = Object.entries(doc.paths as Record<string, Record<string, unknown>>).flatMap(([p, ops]) =>
      Object.keys(ops)
        .filter((m) => ['get', 'post', 'put', 'patch', 'delete'].includes(m))
        .map((m) => `${m.toUpperCase()} ${p}`),
    );
    expect(documented.sort()).toEqual(routes.map((rt) => `${rt.method} /api${rt.url.replace(/:([A-Za-z0-9_]+)/g, '{$1}')}`).sort());
  });

  it('is browsable at /api/docs', async () => {
    const r = await s.anonymous.request('GET', '/api/docs');
    expect(r.statusCode).toBe(200);
    expect(r.headers['content-type']).toContain('text/html');
  });

  it('answers the health check with the engine', async () => {
    const r = await s.anonymous.request('GET', '/api/health');
    expect(r.json()).toEqual({ status: 'ok', database: s.database.kind });
  });
});

describe('logs', () => {
  function capture() {
    const lines: string[] = [];
    const stream = new Writable({
      write(chunk, _enc, done) {
        lines.push(...String(chunk).split('\n').filter(Boolean));
        done();
      },
    });
    return { stream, lines, text: () => lines.join('\n') };
  }

  it('redact cookies, tokens, passwords, codes, e-mail addresses and names', () => {
    const { stream, lines } = capture();
    const log = createLogger('info', stream);
    log.info(
      {
        req: {
          id: 'r1',
          method: 'GET',
          url: '/api/users?q=jan.janssens%40example.be',
          headers: { cookie: 'haven_session=SECRET-COOKIE', 'x-csrf-token': 'SECRET-CSRF', authorization: 'Bearer SECRET-BEARER' },
        },
        res: { headers: { 'set-cookie': 'haven_session=SECRET-SET-COOKIE' } },
        body: { email: 'jan.janssens@example.be', password: 'SECRET-PASSWORD', newPassword: 'SECRET-NEW', currentPassword: 'SECRET-CURRENT' },
        user: { displayName: 'Jan Janssens', name: 'Jan Janssens', phone: '+32470123456' },
        mfa: { code: '123456', secret: 'JBSWY3DPEHPK3PXP', token: 'SECRET-SETUP-TOKEN' },
      },
      'something happened',
    );
    expect(lines).toHaveLength(1);
    const line = lines[0] as string;
    expect(JSON.parse(line).msg).toBe('something happened');
    // The URL without its query string (a search can carry a name).
    expect(JSON.parse(line).req).toEqual({ id: 'r1', method: 'GET', path: '/api/users' });
    for (const secret of [
      'SECRET-COOKIE',
      'SECRET-CSRF',
      'SECRET-BEARER',
      'SECRET-SET-COOKIE',
      'jan.janssens',
      'SECRET-PASSWORD',
      'SECRET-NEW',
      'SECRET-CURRENT',
      'Janssens',
      '+32470123456',
      '123456',
      'JBSWY3DPEHPK3PXP',
      'SECRET-SETUP-TOKEN',
    ]) {
      expect(line).not.toContain(secret);
    }
    expect(line).toContain('[redacted]');
  });

  it('keep personal data out of the server’s own request and error lines', async () => {
    const { stream, lines, text } = capture();
    const config = loadConfig({ NODE_ENV: 'test', HAVEN_DATA_DIR: '/nonexistent', HAVEN_LOG_LEVEL: 'info' });
    const app: FastifyInstance = await buildServer({ config, database: s.database, keys: s.keys, logStream: stream });
    const email = 'marie.peeters@example.be';
    try {
      const user = await s.createUser('administrator', { email });
      const login = await app.inject({ method: 'POST', url: '/api/auth/login', payload: { email, password: user.password } });
      const cookie = parseCookie(login) as string;
      const csrf = (await app.inject({ method: 'GET', url: '/api/session', headers: { cookie } })).json().csrfToken;
      const code = await currentTotp(user.totpSecret as string);
      const mfa = await app.inject({ method: 'POST', url: '/api/auth/mfa', payload: { code }, headers: { cookie, 'x-csrf-token': csrf } });
      expect(mfa.statusCode).toBe(200);
      const active = parseCookie(mfa) as string;
      const activeCsrf = (await app.inject({ method: 'GET', url: '/api/session', headers: { cookie: active } })).json().csrfToken;
      // A search by e-mail (in the query string) that fails in the database: the error is logged.
      await sql`ALTER TABLE organisations RENAME TO organisations_moved`.execute(s.database.db);
      try {
        const failed = await app.inject({ method: 'GET', url: `/api/users?q=${encodeURIComponent(email)}`, headers: { cookie: active } });
        expect(failed.statusCode).toBe(500);
      } finally {
        await sql`ALTER TABLE organisations_moved RENAME TO organisations`.execute(s.database.db);
      }
      await app.inject({ method: 'POST', url: '/api/auth/login', payload: { email, password: 'a wrong password here' } });
      await app.inject({ method: 'POST', url: '/api/auth/logout', headers: { cookie: active, 'x-csrf-token': activeCsrf } });
      const all = text();
      for (const line of lines) expect(() => JSON.parse(line)).not.toThrow();
      // One line per request, with its path (no query string) and status.
      const requests = lines.map((l) => JSON.parse(l)).filter((l) => l.msg === 'request');
      expect(requests.length).toBeGreaterThanOrEqual(7);
      expect(requests).toContainEqual(expect.objectContaining({ status: 500, req: expect.objectContaining({ method: 'GET', path: '/api/users' }) }));
      const errorLine = lines.map((l) => JSON.parse(l)).find((l) => l.level === 50);
      expect(errorLine?.msg).toBe('request failed');
      expect(errorLine?.err?.message).toContain('organisations');
      for (const secret of [email, 'marie', user.password, `"${code}"`, cookie.split('=')[1], active.split('=')[1], csrf, activeCsrf]) {
        expect(all).not.toContain(secret as string);
      }
    } finally {
      await app.close();
    }
  });
});
