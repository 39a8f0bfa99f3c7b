import { createHash, randomBytes } from 'node:crypto';
import type { FastifyReply } from 'fastify';
import { z } from 'zod';
import { mfaRequired, permissionsOf, ROLES, roleLabel } from '../../kernel/authz/permissions.ts';
import type { Db } from '../../kernel/db/database.ts';
import type { RequestContext } from '../../kernel/http/context.ts';
import { Problem, problems } from '../../kernel/http/problem.ts';
import { defineRoute } from '../../kernel/http/route.ts';
import { LOCALES } from '../../kernel/i18n/locales.ts';
import { SESSION_COOKIE } from '../../server/cookies.ts';
import { dummyHash, hashPassword, passwordSchema, verifyPassword } from './passwords.ts';
import { grantsOf, userCount } from './queries.ts';
import type { SessionState } from './schema.ts';
import { createSession, endAllSessions, endSession, rotateSession } from './sessions.ts';
import { attemptSucceeded, takeAttempt, throttleKeys } from './throttle.ts';
import { checkTotp, hashRecoveryCode, newRecoveryCodes, newTotpSecret, normaliseRecoveryCode, qrSvg, totpUri } from './totp.ts';

const TOTP_CONTEXT = 'users.totp_secret';
const PENDING_TOTP_CONTEXT = 'sessions.pending_totp_secret';

export const emailSchema = z.string().trim().toLowerCase().max(254).pipe(z.email());

const nextStep = z.enum(['done', 'mfa', 'enrol']);
type NextStep = z.infer<typeof nextStep>;
const nextOf = (state: SessionState): NextStep => (state === 'active' ? 'done' : state === 'mfa_challenge' ? 'mfa' : 'enrol');

export function setSessionCookie(reply: FastifyReply, ctx: RequestContext, token: string): void {
  reply.setCookie(SESSION_COOKIE, token, { httpOnly: true, sameSite: 'strict', secure: ctx.config.secure, path: '/' });
}

function clearSessionCookie(reply: FastifyReply, ctx: RequestContext): void {
  reply.clearCookie(SESSION_COOKIE, { httpOnly: true, sameSite: 'strict', secure: ctx.config.secure, path: '/' });
}

function timeouts(ctx: RequestContext) {
  return { idleMs: ctx.config.sessionIdleMs, absoluteMs: ctx.config.sessionAbsoluteMs };
}

const login = defineRoute({
  method: 'POST',
  url: '/auth/login',
  access: 'public',
  summary: 'Sign in with e-mail and password; MFA follows',
  tags: ['auth'],
  body: z.strictObject({ email: z.string().max(254), password: z.string().max(1024) }),
  response: z.object({ next: nextStep }),
  handler: async ({ body, ctx, reply }) => {
    const email = body.email.trim().toLowerCase();
    const keys = throttleKeys(ctx.keys, email, ctx.ip);
    const { wait, at } = await ctx.read((db) => takeAttempt(db, keys));
    if (wait > 0) {
      await ctx.audit({ action: 'auth.login_throttled', outcome: 'denied', details: { retryAfterSeconds: wait } });
      throw problems.tooManyAttempts(wait);
    }
    const user = await ctx.read((db) =>
      db.selectFrom('users').select(['id', 'organisation_id', 'password_hash', 'active', 'totp_enabled_at']).where('email', '=', email).executeTakeFirst(),
    );
    const passwordOk = await verifyPassword(user?.password_hash ?? (await dummyHash()), body.password);
    if (!user || !passwordOk || !user.active) {
      await ctx.audit({
        action: 'auth.login_failed',
        outcome: 'failure',
        ...(user ? { recordType: 'user', recordId: user.id } : {}),
        details: { reason: !user ? 'unknown_account' : !user.active ? 'inactive' : 'wrong_password' },
      });
      throw new Problem(401, 'invalid_credentials');
    }
    await ctx.read((db) => attemptSucceeded(db, keys, at));
    const grants = await ctx.read((db) => grantsOf(db, user.id));
    const state: SessionState = user.totp_enabled_at ? 'mfa_challenge' : mfaRequired(grants) ? 'mfa_enrolment' : 'active';
    const { token } = await ctx.write(
      async (tx, audit) => {
        if (ctx.session) await endSession(tx, ctx.session.sessionId);
        const s = await createSession(tx, user.id, state, timeouts(ctx));
        audit({ action: 'auth.login', recordType: 'user', recordId: user.id, details: { next: nextOf(state) } });
        return s;
      },
      { actor: { userId: user.id, organisationId: user.organisation_id, role: roleLabel(grants) } },
    );
    setSessionCookie(reply, ctx, token);
    return { next: nextOf(state) };
  },
});

const codeSchema = z.strictObject({ code: z.string().trim().min(6).max(32) });

const mfaChallenge = defineRoute({
  method: 'POST',
  url: '/auth/mfa',
  access: 'pending',
  summary: 'Second factor: a TOTP code or a one-time recovery code',
  tags: ['auth'],
  body: codeSchema,
  response: z.object({ next: nextStep, recoveryCodesLeft: z.number().int().optional() }),
  handler: async ({ body, ctx, reply }) => {
    const session = ctx.user;
    if (session.state !== 'mfa_challenge') throw problems.conflict('wrong_step');
    const keys = { account: `m:${session.userId}`, ip: throttleKeys(ctx.keys, '', ctx.ip).ip };
    const { wait, at } = await ctx.read((db) => takeAttempt(db, keys));
    if (wait > 0) throw problems.tooManyAttempts(wait);
    const user = await ctx.read((db) =>
      db.selectFrom('users').select(['id', 'totp_secret', 'totp_last_step']).where('id', '=', session.userId).executeTakeFirstOrThrow(),
    );
    const code = body.code.replace(/\s/g, '');
    let step: number | null = null;
    let recoveryHash: string | null = null;
    if (/^\d{6}$/.test(code) && user.totp_secret) {
      step = await checkTotp(ctx.keys.open(user.totp_secret, TOTP_CONTEXT), code, user.totp_last_step);
    } else if (normaliseRecoveryCode(code).length === 12) {
      const h = hashRecoveryCode(code);
      const found = await ctx.read((db) =>
        db
          .selectFrom('recovery_codes')
          .select('code_hash')
          .where('user_id', '=', user.id)
          .where('code_hash', '=', h)
          .where('used_at', 'is', null)
          .executeTakeFirst(),
      );
      if (found) recoveryHash = h;
    }
    const failed = async () => {
      await ctx.audit({ action: 'auth.mfa_failed', outcome: 'failure', recordType: 'user', recordId: user.id });
      return new Problem(401, 'invalid_code');
    };
    if (step === null && recoveryHash === null) throw await failed();
    const result = await ctx.write(async (tx, audit) => {
      // Spend the code only if nobody spent it since it was checked: the same code sent twice at
      // once must work once (the row lock makes the second update wait and then match nothing).
      if (step !== null) {
        const r = await tx
          .updateTable('users')
          .set({ totp_last_step: step })
          .where('id', '=', user.id)
          .where((eb) => eb.or([eb('totp_last_step', 'is', null), eb('totp_last_step', '<', step)]))
          .executeTakeFirst();
        if (Number(r.numUpdatedRows) !== 1) return null;
      }
      let left: number | undefined;
      if (recoveryHash) {
        const r = await tx
          .updateTable('recovery_codes')
          .set({ used_at: new Date() })
          .where('user_id', '=', user.id)
          .where('code_hash', '=', recoveryHash)
          .where('used_at', 'is', null)
          .executeTakeFirst();
        if (Number(r.numUpdatedRows) !== 1) return null;
        const row = await tx
          .selectFrom('recovery_codes')
          .select((eb) => eb.fn.countAll<number>().as('n'))
          .where('user_id', '=', user.id)
          .where('used_at', 'is', null)
          .executeTakeFirstOrThrow();
        left = Number(row.n);
        audit({ action: 'auth.recovery_code_used', recordType: 'user', recordId: user.id, details: { left } });
      }
      const s = await rotateSession(tx, session.sessionId, 'active');
      audit({ action: 'auth.mfa_verified', recordType: 'user', recordId: user.id, details: { method: recoveryHash ? 'recovery_code' : 'totp' } });
      return { ...s, left };
    });
    if (!result) throw await failed();
    await ctx.read((db) => attemptSucceeded(db, keys, at));
    setSessionCookie(reply, ctx, result.token);
    return { next: 'done' as const, ...(result.left !== undefined ? { recoveryCodesLeft: result.left } : {}) };
  },
});

function mayEnrol(ctx: RequestContext): void {
  const s = ctx.user;
  if (s.state === 'mfa_enrolment') return;
  if (s.state === 'active' && !s.mfaEnabled) return;
  throw problems.conflict('wrong_step');
}

const enrolStart = defineRoute({
  method: 'POST',
  url: '/auth/mfa/enrolment',
  access: 'pending',
  summary: 'Start MFA enrolment: a new TOTP secret, as text and as a QR code',
  tags: ['auth'],
  response: z.object({ secret: z.string(), uri: z.string(), qrSvg: z.string() }),
  handler: async ({ ctx }) => {
    mayEnrol(ctx);
    const secret = newTotpSecret();
    await ctx.write(async (tx) => {
      await tx
        .updateTable('sessions')
        .set({ pending_totp_secret: ctx.keys.seal(secret, PENDING_TOTP_CONTEXT) })
        .where('id', '=', ctx.user.sessionId)
        .execute();
    });
    const uri = totpUri(secret, ctx.user.email);
    return { secret, uri, qrSvg: await qrSvg(uri) };
  },
});

const enrolConfirm = defineRoute({
  method: 'POST',
  url: '/auth/mfa/enrolment/confirm',
  access: 'pending',
  summary: 'Finish MFA enrolment with a first code; returns ten recovery codes, shown once',
  tags: ['auth'],
  body: codeSchema,
  response: z.object({ next: nextStep, recoveryCodes: z.array(z.string()) }),
  handler: async ({ body, ctx, reply }) => {
    mayEnrol(ctx);
    const session = ctx.user;
    const row = await ctx.read((db) => db.selectFrom('sessions').select('pending_totp_secret').where('id', '=', session.sessionId).executeTakeFirst());
    if (!row?.pending_totp_secret) throw problems.conflict('wrong_step');
    const secret = ctx.keys.open(row.pending_totp_secret, PENDING_TOTP_CONTEXT);
    const step = await checkTotp(secret, body.code.replace(/\s/g, ''), null);
    if (step === null) {
      await ctx.audit({ action: 'auth.mfa_failed', outcome: 'failure', recordType: 'user', recordId: session.userId, details: { during: 'enrolment' } });
      throw problems.invalidField('code', 'invalid_code');
    }
    const codes = newRecoveryCodes();
    const { token } = await ctx.write(async (tx, audit) => {
      await tx
        .updateTable('users')
        .set({ totp_secret: ctx.keys.seal(secret, TOTP_CONTEXT), totp_enabled_at: new Date(), totp_last_step: step, updated_at: new Date() })
        .where('id', '=', session.userId)
        .execute();
      await tx.deleteFrom('recovery_codes').where('user_id', '=', session.userId).execute();
      await tx
        .insertInto('recovery_codes')
        .values(codes.map((c) => ({ user_id: session.userId, code_hash: hashRecoveryCode(c), used_at: null })))
        .execute();
      await endAllSessions(tx, session.userId, session.sessionId);
      audit({ action: 'auth.mfa_enrolled', recordType: 'user', recordId: session.userId });
      return rotateSession(tx, session.sessionId, 'active');
    });
    setSessionCookie(reply, ctx, token);
    return { next: 'done' as const, recoveryCodes: codes };
  },
});

const logout = defineRoute({
  method: 'POST',
  url: '/auth/logout',
  access: 'pending',
  summary: 'Sign out: the session ends at once',
  tags: ['auth'],
  status: 204,
  handler: async ({ ctx, reply }) => {
    const s = ctx.user;
    await ctx.write(async (tx, audit) => {
      await endSession(tx, s.sessionId);
      audit({ action: 'auth.logout', recordType: 'user', recordId: s.userId });
    });
    clearSessionCookie(reply, ctx);
  },
});

const grantSchema = z.object({ role: z.enum(ROLES), programmeId: z.string().nullable() });

const session = defineRoute({
  method: 'GET',
  url: '/session',
  access: 'pending',
  summary: 'Who is signed in, in which step, with which roles and permissions',
  tags: ['auth'],
  response: z.object({
    state: z.enum(['active', 'mfa_challenge', 'mfa_enrolment']),
    csrfToken: z.string(),
    user: z.object({
      id: z.string(),
      displayName: z.string(),
      email: z.string(),
      organisationId: z.string(),
      organisationName: z.string(),
      locale: z.enum(LOCALES).nullable(),
      mfaEnabled: z.boolean(),
    }),
    grants: z.array(grantSchema),
    permissions: z.array(z.string()),
    idleTimeoutSeconds: z.number().int(),
  }),
  handler: async ({ ctx }) => {
    const s = ctx.user;
    const org = await ctx.read((db) => db.selectFrom('organisations').select('name').where('id', '=', s.organisationId).executeTakeFirst());
    return {
      state: s.state,
      csrfToken: s.csrfToken,
      user: {
        id: s.userId,
        displayName: s.displayName,
        email: s.email,
        organisationId: s.organisationId,
        organisationName: org?.name ?? '',
        locale: s.locale,
        mfaEnabled: s.mfaEnabled,
      },
      grants: s.grants,
      permissions: s.state === 'active' ? permissionsOf(s.grants) : [],
      idleTimeoutSeconds: Math.round(ctx.config.sessionIdleMs / 1000),
    };
  },
});

// ---- First start: the one-time setup link ----------------------------------------------------

const SETUP_TTL_MS = 24 * 3_600_000;
const hashToken = (t: string) => createHash('sha256').update(t).digest('hex');

/** When no account exists yet, makes a one-time setup token (24 h) and returns it; else null. */
export async function issueSetupToken(db: Db): Promise<string | null> {
  if ((await userCount(db)) > 0) return null;
  const token = randomBytes(24).toString('base64url');
  await db.deleteFrom('setup_tokens').where('expires_at', '<', new Date()).execute();
  await db
    .insertInto('setup_tokens')
    .values({ token_hash: hashToken(token), expires_at: new Date(Date.now() + SETUP_TTL_MS) })
    .execute();
  return token;
}

const setupStatus = defineRoute({
  method: 'GET',
  url: '/setup',
  access: 'public',
  summary: 'Whether the first administrator still has to be created',
  tags: ['setup'],
  response: z.object({ needed: z.boolean() }),
  handler: async ({ ctx }) => ({ needed: (await ctx.read(userCount)) === 0 }),
});

const setup = defineRoute({
  method: 'POST',
  url: '/setup',
  access: 'public',
  summary: 'Create the first organisation and administrator with the one-time setup token',
  tags: ['setup'],
  body: z.strictObject({
    token: z.string().min(10).max(200),
    organisationName: z.string().trim().min(2).max(200),
    displayName: z.string().trim().min(2).max(200),
    email: emailSchema,
    password: passwordSchema,
    locale: z.enum(LOCALES).optional(),
  }),
  response: z.object({ next: nextStep }),
  status: 201,
  handler: async ({ body, ctx, reply }) => {
    const passwordHash = await hashPassword(body.password);
    const { token } = await ctx.write(async (tx, audit) => {
      if ((await userCount(tx)) > 0) throw problems.conflict('already_set_up');
      const t = await tx
        .deleteFrom('setup_tokens')
        .where('token_hash', '=', hashToken(body.token))
        .where('expires_at', '>', new Date())
        .returning('token_hash')
        .executeTakeFirst();
      if (!t) throw problems.invalidField('token', 'setup_token');
      await tx.deleteFrom('setup_tokens').execute();
      const org = await tx.insertInto('organisations').values({ name: body.organisationName, kind: 'city' }).returning('id').executeTakeFirstOrThrow();
      const user = await tx
        .insertInto('users')
        .values({
          organisation_id: org.id,
          email: body.email,
          display_name: body.displayName,
          password_hash: passwordHash,
          locale: body.locale ?? ctx.locale,
          totp_secret: null,
          totp_enabled_at: null,
          totp_last_step: null,
          deactivated_at: null,
        })
        .returning('id')
        .executeTakeFirstOrThrow();
      await tx.insertInto('role_assignments').values({ user_id: user.id, role: 'administrator', programme_id: null }).execute();
      audit({ action: 'setup.completed', recordType: 'user', recordId: user.id });
      audit({ action: 'organisation.created', recordType: 'organisation', recordId: org.id });
      audit({ action: 'user.created', recordType: 'user', recordId: user.id, details: { roles: ['administrator'] } });
      return createSession(tx, user.id, 'mfa_enrolment', timeouts(ctx));
    });
    setSessionCookie(reply, ctx, token);
    return { next: 'enrol' as const };
  },
});

export const authRoutes = [login, mfaChallenge, enrolStart, enrolConfirm, logout, session, setupStatus, setup];
export { TOTP_CONTEXT };
