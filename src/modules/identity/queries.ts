import { type ExpressionBuilder, type SelectQueryBuilder, sql } from 'kysely';
import type { RoleGrant } from '../../kernel/authz/permissions.ts';
import type { Database, Db } from '../../kernel/db/database.ts';
import type { Tx } from '../../kernel/http/context.ts';

export interface UserSummary {
  id: string;
  displayName: string;
  email: string;
  organisationId: string;
  organisationName: string;
  locale: string | null;
  active: boolean;
  mfaEnabled: boolean;
  roles: RoleGrant[];
  createdAt: string;
}

function rolesOf(eb: ExpressionBuilder<Database, 'users'>) {
  return sql<
    RoleGrant[]
  >`coalesce((SELECT json_agg(json_build_object('role', r.role, 'programmeId', r.programme_id) ORDER BY r.role, r.programme_id) FROM role_assignments r WHERE r.user_id = ${eb.ref('users.id')}), '[]'::json)`;
}

function baseUserQuery(db: Db | Tx) {
  return db
    .selectFrom('users')
    .innerJoin('organisations', 'organisations.id', 'users.organisation_id')
    .select((eb) => [
      'users.id',
      'users.display_name',
      'users.email',
      'users.organisation_id',
      'organisations.name as organisation_name',
      'users.locale',
      'users.active',
      'users.totp_enabled_at',
      'users.created_at',
      rolesOf(eb).as('roles'),
    ]);
}

type UserRow = Awaited<ReturnType<ReturnType<typeof baseUserQuery>['executeTakeFirstOrThrow']>>;

function toSummary(r: UserRow): UserSummary {
  return {
    id: r.id,
    displayName: r.display_name,
    email: r.email,
    organisationId: r.organisation_id,
    organisationName: r.organisation_name,
    locale: r.locale,
    active: r.active,
    mfaEnabled: r.totp_enabled_at !== null,
    roles: typeof r.roles === 'string' ? JSON.parse(r.roles) : r.roles,
    createdAt: new Date(r.created_at).toISOString(),
  };
}

export interface UserFilter {
  q?: string | undefined;
  organisationId?: string | undefined;
  active?: boolean | undefined;
  programmeId?: string | undefined;
}

/** Applies a user filter to any query over `users`. */
function filtered<O>(q: SelectQueryBuilder<Database, 'users', O>, filter: UserFilter): SelectQueryBuilder<Database, 'users', O> {
  if (filter.q) {
    const like = `%${filter.q.toLowerCase().replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
    q = q.where((eb) => eb.or([eb(eb.fn('lower', ['users.display_name']), 'like', like), eb('users.email', 'like', like)]));
  }
  if (filter.organisationId) q = q.where('users.organisation_id', '=', filter.organisationId);
  if (filter.active !== undefined) q = q.where('users.active', '=', filter.active);
  if (filter.programmeId) {
    const pid = filter.programmeId;
    q = q.where((eb) =>
      eb.exists(eb.selectFrom('role_assignments as ra').select('ra.id').whereRef('ra.user_id', '=', 'users.id').where('ra.programme_id', '=', pid)),
    );
  }
  return q;
}

/**
 * One page of users, ordered by name, with the total, in one statement. The page's ids are found
 * first (on the name index) and the total is one count: the organisation and the roles are read
 * for the 25 rows of the page only. (A `count(*) OVER ()` over the full select built every user's
 * roles before the LIMIT: 60-90 ms a page with 10,000 users; see docs/benchmarks.md.)
 */
export async function listUsers(db: Db, filter: UserFilter, page: number, pageSize: number): Promise<{ items: UserSummary[]; total: number }> {
  const byName = sql`lower(users.display_name)`;
  const pageIds = filtered(db.selectFrom('users').select('users.id'), filter)
    .orderBy(byName)
    .orderBy('users.id')
    .limit(pageSize)
    .offset((page - 1) * pageSize);
  const total = filtered(
    db.selectFrom('users').select((eb) => eb.fn.countAll<number>().as('n')),
    filter,
  );
  const rows = await baseUserQuery(db).select(total.as('total')).where('users.id', 'in', pageIds).orderBy(byName).orderBy('users.id').execute();
  let count = rows[0]?.total;
  // past the last page: no row carries the total
  if (count === undefined) count = (await total.executeTakeFirstOrThrow()).n;
  return { items: rows.map(toSummary), total: Number(count) };
}

export async function getUser(db: Db | Tx, id: string): Promise<UserSummary | undefined> {
  const row = await baseUserQuery(db).where('users.id', '=', id).executeTakeFirst();
  return row ? toSummary(row) : undefined;
}

export async function grantsOf(db: Db | Tx, userId: string): Promise<RoleGrant[]> {
  const rows = await db.selectFrom('role_assignments').select(['role', 'programme_id']).where('user_id', '=', userId).execute();
  return rows.map((r) => ({ role: r.role, programmeId: r.programme_id }));
}

export async function replaceGrants(tx: Tx, userId: string, grants: RoleGrant[]): Promise<void> {
  await tx.deleteFrom('role_assignments').where('user_id', '=', userId).execute();
  if (grants.length) {
    await tx
      .insertInto('role_assignments')
      .values(grants.map((g) => ({ user_id: userId, role: g.role, programme_id: g.programmeId })))
      .execute();
  }
}

// Any constant: the lock that serialises changes which could remove the last administrator.
const ADMINISTRATORS_LOCK = 7_240_002;

/**
 * Active administrators other than `exceptUserId`: there must always be one left. Inside a
 * transaction, takes a lock first, so that two administrators demoting each other at the same
 * moment cannot both see the other one still in place.
 */
export async function otherActiveAdministrators(db: Db | Tx, exceptUserId: string): Promise<number> {
  if (db.isTransaction) await sql`SELECT pg_advisory_xact_lock(${ADMINISTRATORS_LOCK})`.execute(db);
  const row = await db
    .selectFrom('role_assignments as r')
    .innerJoin('users as u', 'u.id', 'r.user_id')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('r.role', '=', 'administrator')
    .where('u.active', '=', true)
    .where('u.id', '!=', exceptUserId)
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

export async function userCount(db: Db | Tx): Promise<number> {
  const row = await db
    .selectFrom('users')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .executeTakeFirstOrThrow();
  return Number(row.n);
}
