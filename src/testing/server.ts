import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import type { Role, RoleGrant } from '../kernel/authz/permissions.ts';
import { loadConfig } from '../kernel/config.ts';
import type { HavenDatabase } from '../kernel/db/database.ts';
import { ephemeralKeyRing, type KeyRing } from '../kernel/vault/keyring.ts';
import { hashPassword } from '../modules/identity/passwords.ts';
import { currentTotp, newTotpSecret } from '../modules/identity/totp.ts';
import { buildServer } from '../server/app.ts';
import { testDatabase } from './database.ts';

export const TEST_PASSWORD = 'correct horse battery staple';
let passwordHash: Promise<string> | undefined;

export interface TestUser {
  id: string;
  email: string;
  password: string;
  totpSecret: string | null;
  organisationId: string;
}

export interface Session {
  cookie: string;
  csrf: string;
  /** inject with this session's cookie and CSRF header */
  request(method: string, url: string, body?: unknown, headers?: Record<string, string>): Promise<LightMyRequestResponse>;
}

export interface TestServer {
  app: FastifyInstance;
  database: HavenDatabase;
  keys: KeyRing;
  organisationId: string;
  /** a user with these roles, MFA enrolled unless `mfa: false` */
  createUser(grants: RoleGrant[] | Role, opts?: { mfa?: boolean; email?: string; organisationId?: string }): Promise<TestUser>;
  createProgramme(slug?: string): Promise<{ projectId: string; programmeId: string }>;
  /** password + TOTP: a fully signed-in session */
  signIn(user: TestUser): Promise<Session>;
  anonymous: Session;
  close(): Promise<void>;
}

let counter = 0;
const uniq = () => `${Date.now().toString(36)}${(counter++).toString(36)}`;

export function parseCookie(res: LightMyRequestResponse): string | undefined {
  const c = res.cookies.find((x) => x.name === 'haven_session');
  return c?.value ? `haven_session=${c.value}` : undefined;
}

function sessionFor(app: FastifyInstance, cookie: string, csrf: string): Session {
  return {
    cookie,
    csrf,
    request(method, url, body, headers = {}) {
      return app.inject({
        method: method as 'GET',
        url,
        headers: { ...(cookie ? { cookie } : {}), ...(csrf ? { 'x-csrf-token': csrf } : {}), ...headers },
        ...(body !== undefined ? { payload: body as object } : {}),
      });
    },
  };
}

/** `env`: extra settings, e.g. `HAVEN_SMTP_URL` for a test that receives Haven's mail. */
export async function testServer(opts: { database?: HavenDatabase; env?: Record<string, string> } = {}): Promise<TestServer> {
  const database = opts.database ?? (await testDatabase());
  const keys = ephemeralKeyRing();
  const config = loadConfig({ NODE_ENV: 'test', HAVEN_DATA_DIR: '/nonexistent', HAVEN_LOG_LEVEL: 'silent', ...opts.env });
  const app = await buildServer({ config, database, keys, logger: false });
  await app.ready();
  const db = database.db;
  const org = await db
    .insertInto('organisations')
    .values({ name: `Test city ${uniq()}`, kind: 'city', nis_code: null })
    .returning('id')
    .executeTakeFirstOrThrow();
  passwordHash ??= hashPassword(TEST_PASSWORD);

  const server: TestServer = {
    app,
    database,
    keys,
    organisationId: org.id,
    async createUser(grants, o = {}) {
      const list: RoleGrant[] = typeof grants === 'string' ? [{ role: grants, programmeId: null }] : grants;
      const secret = o.mfa === false ? null : newTotpSecret();
      const email = o.email ?? `user-${uniq()}@example.test`;
      const row = await db
        .insertInto('users')
        .values({
          organisation_id: o.organisationId ?? org.id,
          email,
          display_name: `Test ${email.split('@')[0]}`,
          password_hash: await (passwordHash as Promise<string>),
          locale: null,
          totp_secret: secret ? keys.seal(secret, 'users.totp_secret') : null,
          totp_enabled_at: secret ? new Date() : null,
          totp_last_step: null,
          deactivated_at: null,
        })
        .returning('id')
        .executeTakeFirstOrThrow();
      if (list.length)
        await db
          .insertInto('role_assignments')
          .values(list.map((g) => ({ user_id: row.id, role: g.role, programme_id: g.programmeId })))
          .execute();
      return { id: row.id, email, password: TEST_PASSWORD, totpSecret: secret, organisationId: o.organisationId ?? org.id };
    },
    async createProgramme(slug = `prog-${uniq()}`) {
      const project = await db
        .insertInto('projects')
        .values({ slug: `proj-${uniq()}`, name: `Project ${slug}`, coordinating_organisation_id: org.id, starts_on: null, ends_on: null })
        .returning('id')
        .executeTakeFirstOrThrow();
      const programme = await db
        .insertInto('programmes')
        .values({ project_id: project.id, slug, name: `Programme ${slug}`, kind: 'outreach' })
        .returning('id')
        .executeTakeFirstOrThrow();
      return { projectId: project.id, programmeId: programme.id };
    },
    async signIn(user) {
      // A TOTP code works once; tests sign the same user in more often than every 30 s.
      await db.updateTable('users').set({ totp_last_step: null }).where('id', '=', user.id).execute();
      const login = await app.inject({ method: 'POST', url: '/api/auth/login', payload: { email: user.email, password: user.password } });
      if (login.statusCode !== 200) throw new Error(`login failed: ${login.statusCode} ${login.body}`);
      let cookie = parseCookie(login) as string;
      const next = login.json().next as string;
      const s = await app.inject({ method: 'GET', url: '/api/session', headers: { cookie } });
      let csrf = s.json().csrfToken as string;
      if (next === 'mfa' && user.totpSecret) {
        const mfa = await app.inject({
          method: 'POST',
          url: '/api/auth/mfa',
          headers: { cookie, 'x-csrf-token': csrf },
          payload: { code: await currentTotp(user.totpSecret) },
        });
        if (mfa.statusCode !== 200) throw new Error(`mfa failed: ${mfa.statusCode} ${mfa.body}`);
        cookie = parseCookie(mfa) as string;
        csrf = (await app.inject({ method: 'GET', url: '/api/session', headers: { cookie } })).json().csrfToken;
      }
      return sessionFor(app, cookie, csrf);
    },
    anonymous: sessionFor(app, '', ''),
    async close() {
      await app.close();
      await database.close();
    },
  };
  return server;
}
