/**
 * The generated authorization matrix: every registered route × every role (+ no session, + a
 * session that has not passed MFA yet). The expected answer is derived from the route's declared
 * `access` and ROLE_PERMISSIONS, never written by hand per route:
 * - no session → 401 `unauthenticated` on every non-public route;
 * - password only → 401 `mfa_required` on every route that is not public or `pending`;
 * - a role without the permission → 403, audited as `access.denied`;
 * - the permission, but another programme in the path → 404, audited as `access.denied`;
 * - the permission (in that programme) → the route's own success status, with a real request.
 */
import { randomUUID } from 'node:crypto';
import type { LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GLOBAL_ROLES, PERMISSIONS, type Permission, ROLE_PERMISSIONS, ROLES, type Role } from '../kernel/authz/permissions.ts';
import { loadConfig } from '../kernel/config.ts';
import { type AnyRoute, defineRoute, RouteDeclarationError } from '../kernel/http/route.ts';
import type { HavenModule } from '../kernel/module.ts';
import identity from '../modules/identity/module.ts';
import { currentTotp } from '../modules/identity/totp.ts';
import { defaultScenarioId, draftScenario, reachedContact, seedConversation, seedEscalation } from '../modules/outreach/conversations.fixture.ts';
import { type SeedPerson, seedWorkContact } from '../modules/outreach/worklist.fixture.ts';
import { activeProtocol, policeZone, seedContact, seedImport } from '../modules/referrals/testing.ts';
import { parseCookie, type Session, TEST_PASSWORD, type TestServer, type TestUser, testServer } from '../testing/server.ts';
import { buildServer, collectRoutes } from './app.ts';
import { loadModules } from './modules.ts';

type Actor = 'anonymous' | 'pending' | Role;
const ACTORS: Actor[] = ['anonymous', 'pending', ...ROLES];

let s: TestServer;
let routes: AnyRoute[];
let programmeA: { projectId: string; programmeId: string };
let programmeB: { projectId: string; programmeId: string };
let sharedVictim: TestUser;
let loginUser: TestUser;
const actorUsers = new Map<Actor, TestUser>();
const actorSessions = new Map<Actor, Session>();
let counter = 0;
const uniq = () => `${Date.now().toString(36)}-${(counter++).toString(36)}`;

const grantsFor = (role: Role) => [{ role, programmeId: GLOBAL_ROLES.includes(role) ? null : programmeA.programmeId }];

async function newUserFor(actor: Actor): Promise<TestUser> {
  if (actor === 'anonymous') throw new Error('no user for anonymous');
  return s.createUser(actor === 'pending' ? grantsFor('coordinator') : grantsFor(actor));
}

/** Password only: the session stops before the second factor. */
async function pendingSession(user: TestUser): Promise<Session> {
  const login = await s.app.inject({ method: 'POST', url: '/api/auth/login', payload: { email: user.email, password: user.password } });
  expect(login.json().next).toBe('mfa');
  const cookie = parseCookie(login) as string;
  const csrf = (await s.app.inject({ method: 'GET', url: '/api/session', headers: { cookie } })).json().csrfToken as string;
  return {
    cookie,
    csrf,
    request: (method, url, body, headers = {}) =>
      s.app.inject({
        method: method as 'GET',
        url,
        headers: { cookie, 'x-csrf-token': csrf, ...headers },
        ...(body !== undefined ? { payload: body as object } : {}),
      }),
  };
}

async function sessionFor(actor: Actor, user: TestUser): Promise<Session> {
  if (actor === 'anonymous') return s.anonymous;
  if (actor === 'pending') return pendingSession(user);
  return s.signIn(user);
}

// ---- Real requests, one per route -----------------------------------------------------------

interface FixtureArgs {
  actor: Actor;
  /** the acting user (undefined for anonymous) */
  user: TestUser | undefined;
  /** true when the request is expected to reach the handler: make real records for it */
  allowed: boolean;
  /** the programme in the path (programme A, or B for the other-programme variant) */
  programmeId: string;
}
interface Fixture {
  /** the session or the user changes (logout, password, MFA): use a fresh user for each call */
  fresh?: boolean;
  params?: (a: FixtureArgs) => Promise<Record<string, string>> | Record<string, string>;
  body?: (a: FixtureArgs) => Promise<unknown> | unknown;
  /** extra request headers (e.g. the content type of a file upload) */
  headers?: Record<string, string>;
  /** a query string, without `?` */
  query?: string;
  /** status when allowed; may depend on whether the session is fully signed in */
  status: number | ((a: FixtureArgs) => number);
}

let zoneId: string;
let protocolA: string;
const CSV = { 'content-type': 'text/csv' };
const SAMPLE_CSV = Buffer.from('PV-nummer;Naam;Voornaam;Kleurcode\nHA.1/2025;Maes;An;Groen\n');
const MAPPING = { pv_number: 'PV-nummer', last_name: 'Naam', first_name: 'Voornaam', colour: 'Kleurcode' };
/** A fresh import of programme A, uploaded by the acting user, in the given state. */
const importOf = (status: 'awaiting_file' | 'previewed') => async (a: FixtureArgs) => ({
  importId: await seedImport(s.database.db, {
    programmeId: programmeA.programmeId,
    senderOrganisationId: zoneId,
    protocolId: protocolA,
    uploadedBy: a.user?.id ?? null,
    status,
  }),
});
const contactOf = () => seedContact(s.database.db, s.keys, { programmeId: programmeA.programmeId, protocolId: protocolA });
/** A fresh contact of programme A assigned to the acting user, reached or not. */
const assignedContact = async (a: FixtureArgs, reached: boolean) => {
  const { contactId } = await contactOf();
  await s.database.db
    .updateTable('contacts')
    .set({ assigned_to: a.user?.id ?? null, reached_at: reached ? new Date() : null })
    .where('id', '=', contactId)
    .execute();
  return contactId;
};
/** A fresh service in the directory of programme A's project. */
const serviceOfA = async () =>
  (
    await s.database.db
      .insertInto('services')
      .values({ project_id: programmeA.projectId, name: `Service ${uniq()}`, kind: 'caw' })
      .returning('id')
      .executeTakeFirstOrThrow()
  ).id;

/** A fresh contact of programme A in a green dossier, assigned to `assignedTo` (null: in the pool). */
const workContact = (assignedTo: string | null, person: SeedPerson = {}) =>
  seedWorkContact(s.database.db, s.keys, { programmeId: programmeA.programmeId, protocolId: protocolA }, { ...person, assignedTo });

const PDF = { 'content-type': 'application/pdf' };
const SAMPLE_PDF = Buffer.from('%PDF-1.4\n% signed protocol\n%%EOF\n');
/** A fresh draft protocol in the programme of the path (the DPO reads every programme's). */
const draftProtocol = async (a: FixtureArgs) => {
  const r = await s.database.db
    .insertInto('protocols')
    .values({
      programme_id: a.programmeId,
      sender_organisation_id: zoneId,
      receiver_organisation_id: s.organisationId,
      title: 'Draft protocol',
      purpose: 'Proactive outreach after a police intervention',
      legal_basis: 'gdpr_6_1_e',
      categories: ['incident'],
      valid_from: '2020-01-01',
      valid_to: null,
      retention_days: 365,
      created_by: null,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  return { protocolId: r.id };
};
const signedProtocol = async (a: FixtureArgs) => ({
  protocolId: await activeProtocol(s.database.db, { programmeId: a.programmeId, senderOrganisationId: zoneId, receiverOrganisationId: s.organisationId }),
});

const victimId = async (a: FixtureArgs) => ({ userId: a.allowed ? (await s.createUser(grantsFor('caller'))).id : sharedVictim.id });

const FIXTURES: Record<string, Fixture> = {
  'GET /health': { status: 200 },
  'GET /openapi.json': { status: 200 },
  // Signing in ends the session the request came with: a fresh one each time.
  'POST /auth/login': { fresh: true, body: () => ({ email: loginUser.email, password: loginUser.password }), status: 200 },
  'GET /setup': { status: 200 },
  // Accounts exist: the one-time setup is over whatever the token.
  'POST /setup': {
    body: () => ({
      token: 'not-a-real-setup-token',
      organisationName: 'Stad Genk',
      displayName: 'First Admin',
      email: `setup-${uniq()}@example.test`,
      password: 'a long and unusual passphrase',
    }),
    status: 409,
  },
  'POST /auth/mfa': {
    fresh: true,
    body: async (a) => ({ code: a.user?.totpSecret ? await currentTotp(a.user.totpSecret) : '123456' }),
    status: (a) => (a.actor === 'pending' ? 200 : 409),
  },
  // MFA is already enrolled for every test user: enrolment is the wrong step.
  'POST /auth/mfa/enrolment': { status: 409 },
  'POST /auth/mfa/enrolment/confirm': { body: () => ({ code: '123456' }), status: 409 },
  'POST /auth/logout': { fresh: true, status: 204 },
  'GET /session': { status: 200 },
  'PUT /me/preferences': { body: () => ({ locale: 'en' }), status: 204 },
  'POST /me/password': { fresh: true, body: () => ({ currentPassword: TEST_PASSWORD, newPassword: 'a brand new passphrase 42' }), status: 204 },
  'POST /me/mfa/reset': {
    fresh: true,
    // The code of the next time step: the sign-in just used the current one, which works once.
    body: async (a) => ({
      currentPassword: TEST_PASSWORD,
      code: a.user?.totpSecret ? await currentTotp(a.user.totpSecret, Math.floor(Date.now() / 1000) + 30) : '123456',
    }),
    status: 200,
  },
  'GET /users': { status: 200 },
  'GET /users/:userId': { params: () => ({ userId: sharedVictim.id }), status: 200 },
  'POST /users': {
    body: () => ({
      displayName: 'New Caller',
      email: `new-${uniq()}@example.test`,
      organisationId: s.organisationId,
      password: 'a long and unusual passphrase',
      roles: [{ role: 'caller', programmeId: programmeA.programmeId }],
    }),
    status: 201,
  },
  'PATCH /users/:userId': { params: victimId, body: () => ({ displayName: 'Renamed User' }), status: 200 },
  'PUT /users/:userId/roles': { params: victimId, body: () => ({ roles: [{ role: 'facilitator', programmeId: programmeA.programmeId }] }), status: 200 },
  'POST /users/:userId/deactivate': { params: victimId, status: 200 },
  'POST /users/:userId/reactivate': { params: victimId, status: 200 },
  'POST /users/:userId/mfa-reset': { params: victimId, status: 200 },
  'GET /organisations': { status: 200 },
  'POST /organisations': { body: () => ({ name: `CAW ${uniq()}`, kind: 'caw' }), status: 201 },
  'PATCH /organisations/:organisationId': { params: () => ({ organisationId: s.organisationId }), body: () => ({ nisCode: '71016' }), status: 200 },
  'GET /projects': { status: 200 },
  'POST /projects': {
    body: () => ({
      slug: `hgmu-${uniq()}`,
      name: 'Hoe gaat het met u?',
      coordinatingOrganisationId: s.organisationId,
      municipalities: [{ nisCode: '71016', name: 'Genk' }],
    }),
    status: 201,
  },
  'PATCH /projects/:projectId': {
    params: () => ({ projectId: programmeA.projectId }),
    body: () => ({ endsOn: '2024-12-31', municipalities: [{ nisCode: '71016', name: 'Genk' }] }),
    status: 200,
  },
  'PATCH /programmes/:programmeId': { params: () => ({ programmeId: programmeA.programmeId }), body: () => ({ name: 'Outreach Genk' }), status: 200 },
  'POST /projects/:projectId/programmes': {
    params: () => ({ projectId: programmeA.projectId }),
    body: () => ({ slug: `outreach-${uniq()}`, name: 'Outreach', kind: 'outreach' }),
    status: 201,
  },
  'GET /programmes': { status: 200 },
  'GET /programmes/:programmeId': { status: 200 },
  'GET /programmes/:programmeId/members': { status: 200 },
  'GET /audit': { status: 200 },
  'GET /audit/verify': { status: 200 },
  // Police referrals. Imports are seen by their uploader (a liaison) or by the programme's coordinators.
  'GET /programmes/:programmeId/imports/options': { status: 200 },
  'POST /programmes/:programmeId/imports/inspect': { query: 'fileName=x.csv', headers: CSV, body: () => SAMPLE_CSV, status: 200 },
  'POST /programmes/:programmeId/imports': {
    body: (a) => ({ fileName: 'x.csv', ...(a.actor === 'police_liaison' ? {} : { senderOrganisationId: zoneId }), columns: MAPPING }),
    // The liaison imports for their own organisation, which has no protocol here: refused after authorization.
    status: (a) => (a.actor === 'police_liaison' ? 422 : 201),
  },
  'PUT /programmes/:programmeId/imports/:importId/file': { params: importOf('awaiting_file'), headers: CSV, body: () => SAMPLE_CSV, status: 200 },
  'GET /programmes/:programmeId/imports': { status: 200 },
  'GET /programmes/:programmeId/imports/:importId': { params: importOf('previewed'), status: 200 },
  'GET /programmes/:programmeId/imports/:importId/rows': { params: importOf('previewed'), status: 200 },
  'GET /programmes/:programmeId/imports/:importId/report.csv': { params: importOf('previewed'), status: 200 },
  'POST /programmes/:programmeId/imports/:importId/commit': { params: importOf('previewed'), status: 200 },
  'POST /programmes/:programmeId/imports/:importId/discard': { params: importOf('previewed'), status: 204 },
  'GET /programmes/:programmeId/protocols': { status: 200 },
  'POST /programmes/:programmeId/protocols': {
    body: () => ({
      senderOrganisationId: zoneId,
      receiverOrganisationId: s.organisationId,
      title: 'Protocol gegevensdeling',
      purpose: 'Proactive outreach after a police intervention',
      legalBasis: 'gdpr_6_1_e',
      categories: ['incident', 'contact'],
      validFrom: '2025-01-01',
      retentionDays: 365,
    }),
    status: 201,
  },
  'GET /programmes/:programmeId/protocols/:protocolId': { params: draftProtocol, status: 200 },
  'PATCH /programmes/:programmeId/protocols/:protocolId': { params: draftProtocol, body: () => ({ title: 'Renamed protocol' }), status: 200 },
  'POST /programmes/:programmeId/protocols/:protocolId/revoke': { params: draftProtocol, status: 200 },
  'PUT /programmes/:programmeId/protocols/:protocolId/document': {
    params: draftProtocol,
    query: 'fileName=signed.pdf',
    headers: PDF,
    body: () => SAMPLE_PDF,
    status: 200,
  },
  'GET /programmes/:programmeId/protocols/:protocolId/document': { params: signedProtocol, status: 200 },
  'GET /programmes/:programmeId/dossiers': { status: 200 },
  'GET /programmes/:programmeId/dossiers/:dossierId': { params: async () => ({ dossierId: (await contactOf()).dossierId }), status: 200 },
  'POST /programmes/:programmeId/dossiers': {
    body: () => ({
      senderOrganisationId: zoneId,
      dossier: { pv_number: `PV-${uniq()}`, colour: 'groen' },
      persons: [{ last_name: 'Peeters', first_name: 'An' }],
    }),
    status: 201,
  },
  'GET /programmes/:programmeId/contacts': { status: 200 },
  'POST /programmes/:programmeId/contacts/:contactId/identity': {
    params: async () => ({ contactId: (await contactOf()).contactId }),
    body: () => ({ purpose: 'authorization matrix' }),
    status: 200,
  },
  'POST /programmes/:programmeId/contacts/:contactId/close': {
    params: async () => ({ contactId: (await contactOf()).contactId }),
    body: () => ({ outcome: 'not_informed' }),
    status: 200,
  },
  // Services, referrals, follow-up calls, the funnel. A caller works the contacts assigned to them:
  // each contact fixture is a fresh contact of programme A assigned to the acting user.
  'GET /programmes/:programmeId/services': { status: 200 },
  'GET /programmes/:programmeId/services/:serviceId': { params: async () => ({ serviceId: await serviceOfA() }), status: 200 },
  'POST /programmes/:programmeId/services': { body: () => ({ name: `CAW ${uniq()}`, kind: 'caw' }), status: 201 },
  'PUT /programmes/:programmeId/services/:serviceId': {
    params: async () => ({ serviceId: await serviceOfA() }),
    body: () => ({ name: 'CAW Limburg', kind: 'caw' }),
    status: 200,
  },
  'DELETE /programmes/:programmeId/services/:serviceId': { params: async () => ({ serviceId: await serviceOfA() }), status: 200 },
  'GET /programmes/:programmeId/contacts/:contactId/referrals': { params: async (a) => ({ contactId: await assignedContact(a, true) }), status: 200 },
  'POST /programmes/:programmeId/contacts/:contactId/referrals': {
    params: async (a) => ({ contactId: await assignedContact(a, true) }),
    body: async () => ({ serviceId: await serviceOfA() }),
    status: 201,
  },
  'PATCH /programmes/:programmeId/contacts/:contactId/referrals/:referralId': {
    params: async (a) => {
      const contactId = await assignedContact(a, true);
      const serviceId = await serviceOfA();
      const r = await s.database.db
        .insertInto('service_referrals')
        .values({
          contact_id: contactId,
          programme_id: programmeA.programmeId,
          service_id: serviceId,
          service_kind: 'caw',
          status: 'proposed',
          created_by: null,
        })
        .returning('id')
        .executeTakeFirstOrThrow();
      return { contactId, referralId: r.id };
    },
    body: () => ({ status: 'accepted' }),
    status: 200,
  },
  'POST /programmes/:programmeId/contacts/:contactId/follow-up': {
    params: async (a) => ({ contactId: await assignedContact(a, false) }),
    body: () => ({ at: new Date(Date.now() + 7 * 86_400_000).toISOString() }),
    status: 200,
  },
  'DELETE /programmes/:programmeId/contacts/:contactId/follow-up': { params: async (a) => ({ contactId: await assignedContact(a, false) }), status: 200 },
  'GET /programmes/:programmeId/funnel': { query: 'from=2025-01-01&to=2025-12-31', status: 200 },
  'GET /programmes/:programmeId/funnel.csv': { query: 'from=2025-01-01&to=2025-12-31', status: 200 },
  'GET /programmes/:programmeId/funnel.xlsx': { query: 'from=2025-01-01&to=2025-12-31', status: 200 },
  'GET /programmes/:programmeId/funnel/contacts': { query: 'line=received&from=2025-01-01&to=2025-12-31', status: 200 },
  // Scenarios, conversations, escalations. A caller works the contacts assigned to them: each
  // fixture assigns a fresh reached contact (or a conversation) to the acting user.
  'GET /programmes/:programmeId/scenarios': { status: 200 },
  'GET /programmes/:programmeId/scenarios/:scenarioId': { params: async () => ({ scenarioId: await defaultScenarioId(s.database.db) }), status: 200 },
  'POST /programmes/:programmeId/scenarios': {
    // One draft at a time: start from none.
    params: async () => {
      await s.database.db.deleteFrom('scenarios').where('programme_id', '=', programmeA.programmeId).where('status', '=', 'draft').execute();
      return {};
    },
    status: 201,
  },
  'PUT /programmes/:programmeId/scenarios/:scenarioId': {
    params: async () => ({ scenarioId: await draftScenario(s.database.db, programmeA.programmeId) }),
    body: async () => ({
      definition: (
        await s.database.db
          .selectFrom('scenarios')
          .select('definition')
          .where('id', '=', await defaultScenarioId(s.database.db))
          .executeTakeFirstOrThrow()
      ).definition,
    }),
    status: 200,
  },
  'POST /programmes/:programmeId/scenarios/:scenarioId/publish': {
    params: async () => ({ scenarioId: await draftScenario(s.database.db, programmeA.programmeId) }),
    status: 200,
  },
  'POST /programmes/:programmeId/contacts/:contactId/conversations': {
    params: async (a) => ({
      contactId: (await reachedContact(s.database.db, s.keys, { programmeId: programmeA.programmeId, protocolId: protocolA, assignedTo: a.user?.id ?? null }))
        .contactId,
    }),
    body: () => ({}),
    status: 201,
  },
  'GET /programmes/:programmeId/contacts/:contactId/conversations': {
    params: async (a) => ({
      contactId: (await seedConversation(s.database.db, s.keys, { programmeId: programmeA.programmeId, protocolId: protocolA, callerId: a.user?.id ?? null }))
        .contactId,
    }),
    status: 200,
  },
  'GET /programmes/:programmeId/conversations/:conversationId': {
    params: async (a) => ({
      conversationId: (
        await seedConversation(s.database.db, s.keys, { programmeId: programmeA.programmeId, protocolId: protocolA, callerId: a.user?.id ?? null })
      ).conversationId,
    }),
    status: 200,
  },
  'PUT /programmes/:programmeId/conversations/:conversationId/answers': {
    params: async (a) => ({
      conversationId: (
        await seedConversation(s.database.db, s.keys, { programmeId: programmeA.programmeId, protocolId: protocolA, callerId: a.user?.id ?? null })
      ).conversationId,
    }),
    body: () => ({ answers: { 'how-are-you': 4, 'wellbeing-notes': 'authorization matrix' } }),
    status: 200,
  },
  'POST /programmes/:programmeId/conversations/:conversationId/finish': {
    params: async (a) => ({
      conversationId: (
        await seedConversation(s.database.db, s.keys, { programmeId: programmeA.programmeId, protocolId: protocolA, callerId: a.user?.id ?? null })
      ).conversationId,
    }),
    body: () => ({ outcome: 'held' }),
    status: 200,
  },
  'POST /programmes/:programmeId/contacts/:contactId/escalations': {
    params: async (a) => ({
      contactId: (await reachedContact(s.database.db, s.keys, { programmeId: programmeA.programmeId, protocolId: protocolA, assignedTo: a.user?.id ?? null }))
        .contactId,
    }),
    body: () => ({ recipient: 'veilig_huis', urgency: 'today', reasons: ['caller_judgment'] }),
    status: 201,
  },
  'GET /programmes/:programmeId/escalations': { status: 200 },
  'GET /programmes/:programmeId/escalations/:escalationId': {
    params: async () => ({
      escalationId: (await seedEscalation(s.database.db, s.keys, { programmeId: programmeA.programmeId, protocolId: protocolA, raisedBy: null })).escalationId,
    }),
    status: 200,
  },
  'POST /programmes/:programmeId/escalations/:escalationId/acknowledge': {
    params: async () => ({
      escalationId: (await seedEscalation(s.database.db, s.keys, { programmeId: programmeA.programmeId, protocolId: protocolA, raisedBy: null })).escalationId,
    }),
    status: 200,
  },
  // The worklist, safe contact, attempts, closing. A caller works the contacts assigned to them:
  // each fixture seeds a fresh contact of programme A assigned to the acting user.
  'GET /programmes/:programmeId/outreach/settings': { status: 200 },
  'PUT /programmes/:programmeId/outreach/settings': {
    body: () => ({ maxAttempts: 3, distinctDays: true, distinctParts: true, leaseMinutes: 30, voicemail: 'never' }),
    status: 200,
  },
  'GET /programmes/:programmeId/worklist': { status: 200 },
  'GET /programmes/:programmeId/worklist/municipalities': { status: 200 },
  // A free, due contact is seeded first, so the claim finds one.
  'POST /programmes/:programmeId/worklist/claim': {
    body: async (a) => {
      if (a.allowed) await workContact(null);
      return {};
    },
    status: 200,
  },
  'POST /programmes/:programmeId/contacts/:contactId/claim': { params: async () => ({ contactId: await workContact(null) }), status: 200 },
  'POST /programmes/:programmeId/contacts/:contactId/release': { params: async (a) => ({ contactId: await workContact(a.user?.id ?? null) }), status: 204 },
  'POST /programmes/:programmeId/worklist/assign': {
    body: async (a) => ({ contactIds: [await workContact(null)], callerId: a.allowed ? (a.user?.id ?? null) : null }),
    status: 200,
  },
  'GET /programmes/:programmeId/worklist/holders': { status: 200 },
  'GET /programmes/:programmeId/contacts/:contactId/card': { params: async (a) => ({ contactId: await workContact(a.user?.id ?? null) }), status: 200 },
  'PUT /programmes/:programmeId/contacts/:contactId/safety': {
    params: async (a) => ({ contactId: await workContact(a.user?.id ?? null) }),
    body: () => ({ notes: 'authorization matrix' }),
    status: 200,
  },
  'POST /programmes/:programmeId/contacts/:contactId/attempts': {
    params: async (a) => ({ contactId: await workContact(a.user?.id ?? null) }),
    body: () => ({ channel: 'letter', outcome: 'sent' }),
    status: 201,
  },
  'GET /programmes/:programmeId/contacts/:contactId/attempts': { params: async (a) => ({ contactId: await workContact(a.user?.id ?? null) }), status: 200 },
  // Without a phone number, not informed is the outcome that fits.
  'POST /programmes/:programmeId/contacts/:contactId/outreach-close': {
    params: async (a) => ({ contactId: await workContact(a.user?.id ?? null, { hasPhone: false, identity: { lastName: 'Maes' } }) }),
    body: () => ({ outcome: 'not_informed' }),
    status: 200,
  },
};

const keyOf = (r: AnyRoute) => `${r.method} ${r.url}`;

function buildUrl(route: AnyRoute, params: Record<string, string>): string {
  return `/api${route.url.replace(/:([A-Za-z0-9_]+)/g, (_, name: string) => {
    const v = params[name];
    if (v === undefined) throw new Error(`no value for :${name} in ${keyOf(route)}`);
    return encodeURIComponent(v);
  })}`;
}

type Expected =
  | { kind: 'refused'; status: 401 | 403 | 404; code: string; audited: boolean }
  | { kind: 'allowed'; status: number | undefined /* undefined: route without a fixture */ };

function expectedFor(route: AnyRoute, actor: Actor, programme: 'own' | 'other', args: FixtureArgs): Expected {
  const fx = FIXTURES[keyOf(route)];
  const allowed: Expected = { kind: 'allowed', status: fx ? (typeof fx.status === 'function' ? fx.status(args) : fx.status) : undefined };
  const access = route.access;
  if (access === 'public') return allowed;
  if (actor === 'anonymous') return { kind: 'refused', status: 401, code: 'unauthenticated', audited: false };
  if (access === 'pending') return allowed;
  if (actor === 'pending') return { kind: 'refused', status: 401, code: 'mfa_required', audited: false };
  if (access === 'signed-in') return allowed;
  if (!ROLE_PERMISSIONS[actor].includes(access.permission)) return { kind: 'refused', status: 403, code: 'forbidden', audited: true };
  if (access.programmeParam && programme === 'other' && !GLOBAL_ROLES.includes(actor)) {
    return { kind: 'refused', status: 404, code: 'not_found', audited: true };
  }
  return allowed;
}

async function deniedRows(requestId: string) {
  return s.database.db.selectFrom('audit_events').selectAll().where('request_id', '=', requestId).where('action', '=', 'access.denied').execute();
}

async function call(route: AnyRoute, actor: Actor, programme: 'own' | 'other') {
  const fx = FIXTURES[keyOf(route)];
  const fresh = actor !== 'anonymous' && (fx?.fresh || (actor === 'pending' && route.access === 'pending' && route.method !== 'GET'));
  const user = actor === 'anonymous' ? undefined : fresh ? await newUserFor(actor) : actorUsers.get(actor);
  const session = actor === 'anonymous' ? s.anonymous : fresh ? await sessionFor(actor, user as TestUser) : (actorSessions.get(actor) as Session);
  const programmeId = (programme === 'own' ? programmeA : programmeB).programmeId;
  const probe: FixtureArgs = { actor, user, allowed: false, programmeId };
  const expected = expectedFor(route, actor, programme, probe);
  const args: FixtureArgs = { ...probe, allowed: expected.kind === 'allowed' };
  const params: Record<string, string> = {};
  for (const m of route.url.matchAll(/:([A-Za-z0-9_]+)/g)) params[m[1] as string] = randomUUID();
  Object.assign(params, fx?.params ? await fx.params(args) : {});
  if (typeof route.access === 'object' && route.access.programmeParam) {
    params[route.access.programmeParam] = (programme === 'own' ? programmeA : programmeB).programmeId;
  }
  const body = fx?.body ? await fx.body(args) : route.method === 'GET' ? undefined : route.body ? {} : undefined;
  const url = buildUrl(route, params) + (fx?.query ? `?${fx.query}` : '');
  const res = await session.request(route.method, url, body, fx?.headers);
  return { res, expected };
}

function describeRes(res: LightMyRequestResponse): string {
  return `${res.statusCode} ${res.body.slice(0, 300)}`;
}

beforeAll(async () => {
  s = await testServer();
  routes = collectRoutes(await loadModules());
  programmeA = await s.createProgramme();
  programmeB = await s.createProgramme();
  zoneId = await policeZone(s.database.db);
  protocolA = await activeProtocol(s.database.db, {
    programmeId: programmeA.programmeId,
    senderOrganisationId: zoneId,
    receiverOrganisationId: s.organisationId,
  });
  sharedVictim = await s.createUser(grantsFor('caller'));
  loginUser = await s.createUser([{ role: 'analyst', programmeId: programmeA.programmeId }], { mfa: false });
  for (const actor of ACTORS) {
    if (actor === 'anonymous') continue;
    const user = await newUserFor(actor);
    actorUsers.set(actor, user);
    actorSessions.set(actor, await sessionFor(actor, user));
  }
});
afterAll(() => s.close());

describe('route declarations', () => {
  it('registers the routes this matrix walks, each with a declared audience', () => {
    expect(routes.length).toBeGreaterThan(20);
    for (const r of routes) expect(r.access, keyOf(r)).toBeDefined();
  });

  it('makes public only health, the API document, sign-in and first setup', () => {
    const publicRoutes = routes
      .filter((r) => r.access === 'public')
      .map(keyOf)
      .sort();
    expect(publicRoutes).toEqual(['GET /health', 'GET /openapi.json', 'GET /setup', 'POST /auth/login', 'POST /setup']);
  });

  it('has a real request for every route (else only its refusals are checked)', () => {
    const missing = routes.map(keyOf).filter((k) => !FIXTURES[k]);
    expect(missing).toEqual([]);
  });

  const config = loadConfig({ NODE_ENV: 'test', HAVEN_DATA_DIR: '/nonexistent', HAVEN_LOG_LEVEL: 'silent' });
  const moduleWith = (route: unknown): HavenModule => ({ name: 'rogue', routes: [route as AnyRoute] });

  it('refuses to start when a route declares no access', async () => {
    const rogue = { method: 'GET', url: '/rogue', summary: 'no access', tags: [], handler: async () => ({}) };
    await expect(buildServer({ config, database: s.database, keys: s.keys, logger: false, modules: [identity, moduleWith(rogue)] })).rejects.toThrow(
      /GET \/api\/rogue declares no access/,
    );
  });

  it('refuses to start when a route names a permission outside the closed list', async () => {
    const rogue = defineRoute({
      method: 'POST',
      url: '/rogue',
      access: { permission: 'everything.allowed' as Permission },
      summary: 'bad permission',
      tags: [],
      handler: async () => ({}),
    });
    await expect(buildServer({ config, database: s.database, keys: s.keys, logger: false, modules: [identity, moduleWith(rogue)] })).rejects.toThrow(
      RouteDeclarationError,
    );
    await expect(buildServer({ config, database: s.database, keys: s.keys, logger: false, modules: [identity, moduleWith(rogue)] })).rejects.toThrow(
      /not in the closed list: everything\.allowed/,
    );
  });

  it('refuses to start when a route scopes by a path parameter it does not have', async () => {
    const rogue = defineRoute({
      method: 'GET',
      url: '/rogue',
      access: { permission: 'programmes.read', programmeParam: 'programmeId' },
      summary: 'bad scope',
      tags: [],
      handler: async () => ({}),
    });
    await expect(buildServer({ config, database: s.database, keys: s.keys, logger: false, modules: [identity, moduleWith(rogue)] })).rejects.toThrow(
      /scopes by :programmeId/,
    );
  });

  it('refuses an access value that is not one of the declared kinds', async () => {
    const rogue = { method: 'GET', url: '/rogue', access: 'everyone', summary: 'x', tags: [], handler: async () => ({}) };
    await expect(buildServer({ config, database: s.database, keys: s.keys, logger: false, modules: [identity, moduleWith(rogue)] })).rejects.toThrow(
      /unknown access "everyone"/,
    );
  });

  it('every permission in the closed list is granted by some role and guards some route', () => {
    const granted = new Set(Object.values(ROLE_PERMISSIONS).flat());
    const guarded = new Set(routes.flatMap((r) => (typeof r.access === 'object' ? [r.access.permission] : [])));
    for (const p of PERMISSIONS) {
      expect(granted.has(p), `${p} granted`).toBe(true);
      expect(guarded.has(p), `${p} guards a route`).toBe(true);
    }
  });
});

describe('every route × every role', () => {
  it.each(ACTORS)('as %s', async (actor) => {
    const failures: string[] = [];
    for (const route of routes) {
      const variants: Array<'own' | 'other'> = typeof route.access === 'object' && route.access.programmeParam ? ['own', 'other'] : ['own'];
      for (const programme of variants) {
        const where = `${actor} ${keyOf(route)}${programme === 'other' ? ' (another programme)' : ''}`;
        const { res, expected } = await call(route, actor, programme);
        if (expected.kind === 'refused') {
          const body = res.json();
          if (res.statusCode !== expected.status || body.code !== expected.code) {
            failures.push(`${where}: expected ${expected.status} ${expected.code}, got ${describeRes(res)}`);
            continue;
          }
          expect(res.headers['content-type']).toContain('application/problem+json');
          const rows = await deniedRows(body.requestId);
          if (expected.audited) {
            const row = rows[0];
            if (rows.length !== 1 || !row) {
              failures.push(`${where}: refusal not audited`);
              continue;
            }
            expect(row.outcome).toBe('denied');
            expect(row.actor_user_id).toBe(actorUsers.get(actor)?.id);
            expect(row.details).toMatchObject({ method: route.method, route: `/api${route.url}`, status: expected.status });
          } else if (rows.length !== 0) {
            failures.push(`${where}: unexpected access.denied row`);
          }
        } else if (expected.status !== undefined) {
          if (res.statusCode !== expected.status) failures.push(`${where}: expected ${expected.status}, got ${describeRes(res)}`);
        } else {
          // A route with no fixture: at least it must not be refused by authorization.
          const code = res.statusCode >= 400 ? res.json().code : undefined;
          const denied = code === 'not_found' ? await deniedRows(res.json().requestId) : [];
          if ([401, 403].includes(res.statusCode) || denied.length) failures.push(`${where}: refused (${describeRes(res)})`);
        }
      }
    }
    expect(failures).toEqual([]);
  });
});

describe('scope', () => {
  it('answers 404 for a programme that does not exist, the same as for another programme', async () => {
    const coordinator = actorSessions.get('coordinator') as Session;
    const missing = await coordinator.request('GET', `/api/programmes/${randomUUID()}`);
    const other = await coordinator.request('GET', `/api/programmes/${programmeB.programmeId}`);
    expect(missing.statusCode).toBe(404);
    expect(other.statusCode).toBe(404);
    expect(other.json().title).toBe(missing.json().title);
    expect(other.json().detail).toBe(missing.json().detail);
  });

  it('takes a new role into account on the next request, without signing in again', async () => {
    const user = await s.createUser(grantsFor('caller'));
    const session = await s.signIn(user);
    expect((await session.request('GET', `/api/programmes/${programmeB.programmeId}`)).statusCode).toBe(404);
    await s.database.db.insertInto('role_assignments').values({ user_id: user.id, role: 'caller', programme_id: programmeB.programmeId }).execute();
    expect((await session.request('GET', `/api/programmes/${programmeB.programmeId}`)).statusCode).toBe(200);
  });

  it('lists only the programmes the user works in', async () => {
    const caller = actorSessions.get('caller') as Session;
    const res = await caller.request('GET', '/api/programmes');
    expect(res.statusCode).toBe(200);
    const ids = res.json().items.map((p: { id: string }) => p.id);
    expect(ids).toContain(programmeA.programmeId);
    expect(ids).not.toContain(programmeB.programmeId);
  });
});
