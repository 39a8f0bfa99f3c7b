import { z } from 'zod';
import { GLOBAL_ROLES, ROLES, type RoleGrant } from '../../kernel/authz/permissions.ts';
import type { Db } from '../../kernel/db/database.ts';
import type { Tx } from '../../kernel/http/context.ts';
import { problems } from '../../kernel/http/problem.ts';
import { defineRoute, paged } from '../../kernel/http/route.ts';
import { LOCALES } from '../../kernel/i18n/locales.ts';
import { emailSchema } from './auth.routes.ts';
import { hashPassword, passwordSchema } from './passwords.ts';
import { getUser, grantsOf, listUsers, otherActiveAdministrators, replaceGrants } from './queries.ts';
import { endAllSessions } from './sessions.ts';

const grant = z.strictObject({ role: z.enum(ROLES), programmeId: z.uuid().nullable().default(null) });
const grants = z
  .array(grant)
  .max(100)
  .superRefine((list, c) => {
    list.forEach((g, i) => {
      const global = GLOBAL_ROLES.includes(g.role);
      if (global && g.programmeId !== null) c.addIssue({ code: 'custom', message: 'role_is_global', path: [i, 'programmeId'] });
      if (!global && g.programmeId === null) c.addIssue({ code: 'custom', message: 'role_needs_programme', path: [i, 'programmeId'] });
    });
  });

export const userSchema = z.object({
  id: z.string(),
  displayName: z.string(),
  email: z.string(),
  organisationId: z.string(),
  organisationName: z.string(),
  locale: z.enum(LOCALES).nullable(),
  active: z.boolean(),
  mfaEnabled: z.boolean(),
  roles: z.array(z.object({ role: z.enum(ROLES), programmeId: z.string().nullable() })),
  createdAt: z.string(),
});

const userParams = z.strictObject({ userId: z.uuid() });

async function requireUser(tx: Db | Tx, id: string) {
  const u = await getUser(tx, id);
  if (!u) throw problems.notFound();
  return u;
}

async function checkReferences(tx: Tx, organisationId: string | undefined, list: RoleGrant[]): Promise<void> {
  if (organisationId) {
    const org = await tx.selectFrom('organisations').select('id').where('id', '=', organisationId).executeTakeFirst();
    if (!org) throw problems.invalidField('organisationId', 'unknown_reference');
  }
  const ids = [...new Set(list.map((g) => g.programmeId).filter((x): x is string => !!x))];
  if (ids.length) {
    const found = await tx.selectFrom('programmes').select('id').where('id', 'in', ids).execute();
    const known = new Set(found.map((r) => r.id));
    const i = list.findIndex((g) => g.programmeId && !known.has(g.programmeId));
    if (i >= 0) throw problems.invalidField(`roles.${i}.programmeId`, 'unknown_reference');
  }
}

const list = defineRoute({
  method: 'GET',
  url: '/users',
  access: { permission: 'users.read' },
  summary: 'Users, 25 a page, by name; filter by text, organisation, programme, status',
  tags: ['users'],
  query: z.strictObject({
    page: z.coerce.number().int().min(1).max(100_000).default(1),
    pageSize: z.coerce.number().int().min(1).max(100).default(25),
    q: z.string().trim().max(100).optional(),
    organisationId: z.uuid().optional(),
    programmeId: z.uuid().optional(),
    active: z.enum(['true', 'false']).optional(),
  }),
  response: paged(userSchema),
  handler: async ({ query, ctx }) => {
    const { items, total } = await ctx.read((db) =>
      listUsers(
        db,
        {
          q: query.q,
          organisationId: query.organisationId,
          programmeId: query.programmeId,
          active: query.active === undefined ? undefined : query.active === 'true',
        },
        query.page,
        query.pageSize,
      ),
    );
    return { items, total, page: query.page, pageSize: query.pageSize };
  },
});

const get = defineRoute({
  method: 'GET',
  url: '/users/:userId',
  access: { permission: 'users.read' },
  summary: 'One user',
  tags: ['users'],
  params: userParams,
  response: userSchema,
  handler: async ({ params, ctx }) => ctx.read((db) => requireUser(db, params.userId)),
});

const create = defineRoute({
  method: 'POST',
  url: '/users',
  access: { permission: 'users.manage' },
  summary: 'Create a user with a first password; MFA enrolment follows at first sign-in',
  tags: ['users'],
  body: z.strictObject({
    displayName: z.string().trim().min(2).max(200),
    email: emailSchema,
    organisationId: z.uuid(),
    password: passwordSchema,
    locale: z.enum(LOCALES).nullable().default(null),
    roles: grants.default([]),
  }),
  response: userSchema,
  status: 201,
  handler: async ({ body, ctx }) => {
    const passwordHash = await hashPassword(body.password);
    return ctx.write(async (tx, audit) => {
      await checkReferences(tx, body.organisationId, body.roles);
      const exists = await tx.selectFrom('users').select('id').where('email', '=', body.email).executeTakeFirst();
      if (exists) throw problems.invalidField('email', 'email_taken');
      const row = await tx
        .insertInto('users')
        .values({
          organisation_id: body.organisationId,
          email: body.email,
          display_name: body.displayName,
          password_hash: passwordHash,
          locale: body.locale,
          totp_secret: null,
          totp_enabled_at: null,
          totp_last_step: null,
          deactivated_at: null,
        })
        .returning('id')
        .executeTakeFirstOrThrow();
      await replaceGrants(tx, row.id, body.roles);
      audit({ action: 'user.created', recordType: 'user', recordId: row.id, details: { roles: body.roles } });
      return requireUser(tx, row.id);
    });
  },
});

const update = defineRoute({
  method: 'PATCH',
  url: '/users/:userId',
  access: { permission: 'users.manage' },
  summary: 'Change a user’s name, organisation or language',
  tags: ['users'],
  params: userParams,
  body: z.strictObject({
    displayName: z.string().trim().min(2).max(200).optional(),
    organisationId: z.uuid().optional(),
    locale: z.enum(LOCALES).nullable().optional(),
  }),
  response: userSchema,
  handler: async ({ params, body, ctx }) =>
    ctx.write(async (tx, audit) => {
      const before = await requireUser(tx, params.userId);
      await checkReferences(tx, body.organisationId, []);
      const set = {
        ...(body.displayName !== undefined ? { display_name: body.displayName } : {}),
        ...(body.organisationId !== undefined ? { organisation_id: body.organisationId } : {}),
        ...(body.locale !== undefined ? { locale: body.locale } : {}),
      };
      if (Object.keys(set).length) {
        await tx
          .updateTable('users')
          .set({ ...set, updated_at: new Date() })
          .where('id', '=', params.userId)
          .execute();
        audit({
          action: 'user.updated',
          recordType: 'user',
          recordId: params.userId,
          details: { fields: Object.keys(body), organisationFrom: body.organisationId ? before.organisationId : undefined },
        });
      }
      return requireUser(tx, params.userId);
    }),
});

const setRoles = defineRoute({
  method: 'PUT',
  url: '/users/:userId/roles',
  access: { permission: 'users.manage' },
  summary: 'Replace a user’s roles; takes effect on their next request',
  tags: ['users'],
  params: userParams,
  body: z.strictObject({ roles: grants }),
  response: userSchema,
  handler: async ({ params, body, ctx }) =>
    ctx.write(async (tx, audit) => {
      await requireUser(tx, params.userId);
      await checkReferences(tx, undefined, body.roles);
      const before = await grantsOf(tx, params.userId);
      const stillAdmin = body.roles.some((g) => g.role === 'administrator');
      if (before.some((g) => g.role === 'administrator') && !stillAdmin && (await otherActiveAdministrators(tx, params.userId)) === 0) {
        throw problems.conflict('last_administrator');
      }
      await replaceGrants(tx, params.userId, body.roles);
      audit({ action: 'user.roles_changed', recordType: 'user', recordId: params.userId, details: { before, after: body.roles } });
      return requireUser(tx, params.userId);
    }),
});

const deactivate = defineRoute({
  method: 'POST',
  url: '/users/:userId/deactivate',
  access: { permission: 'users.manage' },
  summary: 'Deactivate a user: every session of theirs ends at once',
  tags: ['users'],
  params: userParams,
  response: userSchema,
  handler: async ({ params, ctx }) =>
    ctx.write(async (tx, audit) => {
      const u = await requireUser(tx, params.userId);
      if (u.id === ctx.user.userId) throw problems.conflict('cannot_deactivate_self');
      if (u.roles.some((g) => g.role === 'administrator') && (await otherActiveAdministrators(tx, u.id)) === 0) throw problems.conflict('last_administrator');
      await tx.updateTable('users').set({ active: false, deactivated_at: new Date(), updated_at: new Date() }).where('id', '=', u.id).execute();
      await endAllSessions(tx, u.id);
      audit({ action: 'user.deactivated', recordType: 'user', recordId: u.id });
      return requireUser(tx, u.id);
    }),
});

const reactivate = defineRoute({
  method: 'POST',
  url: '/users/:userId/reactivate',
  access: { permission: 'users.manage' },
  summary: 'Reactivate a user',
  tags: ['users'],
  params: userParams,
  response: userSchema,
  handler: async ({ params, ctx }) =>
    ctx.write(async (tx, audit) => {
      await requireUser(tx, params.userId);
      await tx.updateTable('users').set({ active: true, deactivated_at: null, updated_at: new Date() }).where('id', '=', params.userId).execute();
      audit({ action: 'user.reactivated', recordType: 'user', recordId: params.userId });
      return requireUser(tx, params.userId);
    }),
});

const resetMfa = defineRoute({
  method: 'POST',
  url: '/users/:userId/mfa-reset',
  access: { permission: 'users.manage' },
  summary: 'Clear a user’s MFA (lost phone): they enrol again at their next sign-in; their sessions end',
  tags: ['users'],
  params: userParams,
  response: userSchema,
  handler: async ({ params, ctx }) =>
    ctx.write(async (tx, audit) => {
      await requireUser(tx, params.userId);
      if (params.userId === ctx.user.userId) throw problems.conflict('use_own_mfa_reset');
      await tx
        .updateTable('users')
        .set({ totp_secret: null, totp_enabled_at: null, totp_last_step: null, updated_at: new Date() })
        .where('id', '=', params.userId)
        .execute();
      await tx.deleteFrom('recovery_codes').where('user_id', '=', params.userId).execute();
      await endAllSessions(tx, params.userId);
      audit({ action: 'auth.mfa_reset', recordType: 'user', recordId: params.userId, details: { by: 'administrator' } });
      return requireUser(tx, params.userId);
    }),
});

export const userRoutes = [list, get, create, update, setRoles, deactivate, reactivate, resetMfa];
