import { createHash, randomBytes } from 'node:crypto';
import { sql } from 'kysely';
import type { RoleGrant } from '../../kernel/authz/permissions.ts';
import type { Db } from '../../kernel/db/database.ts';
import type { Authenticator, SessionInfo, Tx } from '../../kernel/http/context.ts';
import type { SessionState } from './schema.ts';

/** The cookie holds 256 random bits; the database holds only their SHA-256. */
export function newSessionToken(): { token: string; id: string } {
  const token = randomBytes(32).toString('base64url');
  return { token, id: sessionIdOf(token) };
}

export function sessionIdOf(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

export interface SessionTimeouts {
  idleMs: number;
  absoluteMs: number;
}

export async function createSession(tx: Tx, userId: string, state: SessionState, t: SessionTimeouts): Promise<{ token: string; csrfToken: string }> {
  const { token, id } = newSessionToken();
  const csrfToken = randomBytes(24).toString('base64url');
  await tx
    .insertInto('sessions')
    .values({ id, user_id: userId, state, csrf_token: csrfToken, expires_at: new Date(Date.now() + t.absoluteMs) })
    .execute();
  // Expired sessions of this user go now; they could never be used again.
  await tx
    .deleteFrom('sessions')
    .where('user_id', '=', userId)
    .where((eb) => eb.or([eb('expires_at', '<=', new Date()), eb('last_seen_at', '<=', new Date(Date.now() - t.idleMs))]))
    .execute();
  return { token, csrfToken };
}

/**
 * Moves a session to a new state under a new id (ASVS 7.2.4: a new session token whenever the
 * level of authentication changes). Returns the new cookie value.
 */
export async function rotateSession(tx: Tx, oldId: string, state: SessionState): Promise<{ token: string; csrfToken: string }> {
  const { token, id } = newSessionToken();
  const csrfToken = randomBytes(24).toString('base64url');
  await tx
    .updateTable('sessions')
    .set({ id, state, csrf_token: csrfToken, pending_totp_secret: null, last_seen_at: new Date() })
    .where('id', '=', oldId)
    .execute();
  return { token, csrfToken };
}

export async function endSession(tx: Tx | Db, id: string): Promise<void> {
  await tx.deleteFrom('sessions').where('id', '=', id).execute();
}

export async function endAllSessions(tx: Tx | Db, userId: string, exceptId?: string): Promise<void> {
  let q = tx.deleteFrom('sessions').where('user_id', '=', userId);
  if (exceptId) q = q.where('id', '!=', exceptId);
  await q.execute();
}

// last_seen_at is written at most once a minute per session: reads stay reads.
const TOUCH_AFTER_MS = 60_000;

export const sessionAuthenticator: Authenticator = {
  async resolve(db: Db, token: string, t: SessionTimeouts): Promise<SessionInfo | null> {
    if (token.length > 100) return null;
    const id = sessionIdOf(token);
    const idleCutoff = new Date(Date.now() - t.idleMs);
    const row = await db
      .selectFrom('sessions as s')
      .innerJoin('users as u', 'u.id', 's.user_id')
      .select([
        's.id',
        's.state',
        's.csrf_token',
        's.created_at',
        's.last_seen_at',
        'u.id as user_id',
        'u.organisation_id',
        'u.display_name',
        'u.email',
        'u.locale',
        'u.totp_enabled_at',
        sql<
          RoleGrant[]
        >`coalesce((SELECT json_agg(json_build_object('role', r.role, 'programmeId', r.programme_id) ORDER BY r.role, r.programme_id) FROM role_assignments r WHERE r.user_id = u.id), '[]'::json)`.as(
          'grants',
        ),
      ])
      .where('s.id', '=', id)
      .where('u.active', '=', true)
      .where('s.expires_at', '>', new Date())
      .where('s.last_seen_at', '>', idleCutoff)
      .executeTakeFirst();
    if (!row) return null;
    const lastSeen = new Date(row.last_seen_at);
    if (Date.now() - lastSeen.getTime() > TOUCH_AFTER_MS) {
      await db.updateTable('sessions').set({ last_seen_at: new Date() }).where('id', '=', id).execute();
    }
    return {
      sessionId: row.id,
      userId: row.user_id,
      organisationId: row.organisation_id,
      displayName: row.display_name,
      email: row.email,
      locale: row.locale,
      state: row.state,
      csrfToken: row.csrf_token,
      grants: typeof row.grants === 'string' ? JSON.parse(row.grants) : row.grants,
      mfaEnabled: row.totp_enabled_at !== null,
      createdAt: new Date(row.created_at),
    };
  },
};
