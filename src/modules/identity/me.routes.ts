import { z } from 'zod';
import type { RequestContext } from '../../kernel/http/context.ts';
import { problems } from '../../kernel/http/problem.ts';
import { defineRoute } from '../../kernel/http/route.ts';
import { LOCALES } from '../../kernel/i18n/locales.ts';
import { setSessionCookie, TOTP_CONTEXT } from './auth.routes.ts';
import { hashPassword, passwordSchema, verifyPassword } from './passwords.ts';
import { endAllSessions, rotateSession } from './sessions.ts';
import { attemptSucceeded, takeAttempt, throttleKeys } from './throttle.ts';
import { checkTotp } from './totp.ts';

/**
 * Re-authentication before a security change (ASVS 6.2.3, 7.5.1): the current password, and the
 * current TOTP code when MFA is on. Wrong answers count toward the login throttle.
 */
async function reauthenticate(ctx: RequestContext, password: string, code: string | undefined, requireCode: boolean): Promise<{ step: number | null }> {
  const s = ctx.user;
  const keys = throttleKeys(ctx.keys, s.email, ctx.ip);
  const { wait, at } = await ctx.read((db) => takeAttempt(db, keys));
  if (wait > 0) throw problems.tooManyAttempts(wait);
  const user = await ctx.read((db) =>
    db.selectFrom('users').select(['password_hash', 'totp_secret', 'totp_last_step']).where('id', '=', s.userId).executeTakeFirstOrThrow(),
  );
  const fail = async (field: string) => {
    await ctx.audit({ action: 'auth.reauth_failed', outcome: 'failure', recordType: 'user', recordId: s.userId });
    throw problems.invalidField(field, field === 'code' ? 'invalid_code' : 'wrong_password');
  };
  if (!(await verifyPassword(user.password_hash, password))) return fail('currentPassword');
  let step: number | null = null;
  if (requireCode && user.totp_secret) {
    step = await checkTotp(ctx.keys.open(user.totp_secret, TOTP_CONTEXT), (code ?? '').replace(/\s/g, ''), user.totp_last_step);
    if (step === null) return fail('code');
  }
  await ctx.read((db) => attemptSucceeded(db, keys, at));
  return { step };
}

const preferences = defineRoute({
  method: 'PUT',
  url: '/me/preferences',
  access: 'pending',
  summary: 'Remember my language',
  tags: ['me'],
  body: z.strictObject({ locale: z.enum(LOCALES) }),
  status: 204,
  handler: async ({ body, ctx }) => {
    await ctx.write(async (tx, audit) => {
      await tx.updateTable('users').set({ locale: body.locale, updated_at: new Date() }).where('id', '=', ctx.user.userId).execute();
      audit({ action: 'user.preferences_changed', recordType: 'user', recordId: ctx.user.userId, details: { locale: body.locale } });
    });
  },
});

const changePassword = defineRoute({
  method: 'POST',
  url: '/me/password',
  access: 'signed-in',
  summary: 'Change my password (re-authentication with the current one); other sessions end',
  tags: ['me'],
  body: z.strictObject({ currentPassword: z.string().max(1024), newPassword: passwordSchema }),
  status: 204,
  handler: async ({ body, ctx }) => {
    await reauthenticate(ctx, body.currentPassword, undefined, false);
    if (body.newPassword === body.currentPassword) throw problems.invalidField('newPassword', 'password_unchanged');
    const hash = await hashPassword(body.newPassword);
    await ctx.write(async (tx, audit) => {
      await tx
        .updateTable('users')
        .set({ password_hash: hash, password_changed_at: new Date(), updated_at: new Date() })
        .where('id', '=', ctx.user.userId)
        .execute();
      await endAllSessions(tx, ctx.user.userId, ctx.user.sessionId);
      audit({ action: 'auth.password_changed', recordType: 'user', recordId: ctx.user.userId });
    });
  },
});

const resetMfa = defineRoute({
  method: 'POST',
  url: '/me/mfa/reset',
  access: 'signed-in',
  summary: 'Replace my authenticator: re-authenticate with password and current code, then enrol again',
  tags: ['me'],
  body: z.strictObject({ currentPassword: z.string().max(1024), code: z.string().max(32) }),
  response: z.object({ next: z.literal('enrol') }),
  handler: async ({ body, ctx, reply }) => {
    if (!ctx.user.mfaEnabled) throw problems.conflict('wrong_step');
    await reauthenticate(ctx, body.currentPassword, body.code, true);
    const { token } = await ctx.write(async (tx, audit) => {
      await tx
        .updateTable('users')
        .set({ totp_secret: null, totp_enabled_at: null, totp_last_step: null, updated_at: new Date() })
        .where('id', '=', ctx.user.userId)
        .execute();
      await tx.deleteFrom('recovery_codes').where('user_id', '=', ctx.user.userId).execute();
      await endAllSessions(tx, ctx.user.userId, ctx.user.sessionId);
      audit({ action: 'auth.mfa_reset', recordType: 'user', recordId: ctx.user.userId, details: { by: 'self' } });
      return rotateSession(tx, ctx.user.sessionId, 'mfa_enrolment');
    });
    setSessionCookie(reply, ctx, token);
    return { next: 'enrol' as const };
  },
});

export const meRoutes = [preferences, changePassword, resetMfa];
