import type { Transaction } from 'kysely';
import { type AuditActor, type AuditEvent, appendAudit, recordAudit } from '../audit/audit.ts';
import { type Permission, type RoleGrant, roleLabel, type Scope, scopeOf } from '../authz/permissions.ts';
import type { Config } from '../config.ts';
import type { Database, DatabaseKind, Db } from '../db/database.ts';
import { type Locale, translate } from '../i18n/i18n.ts';
import type { KeyRing } from '../vault/keyring.ts';
import { problems } from './problem.ts';

export interface SessionInfo {
  /** sha-256 of the cookie value; the cookie itself is never stored */
  sessionId: string;
  userId: string;
  organisationId: string;
  displayName: string;
  email: string;
  locale: Locale | null;
  state: 'active' | 'mfa_challenge' | 'mfa_enrolment';
  csrfToken: string;
  grants: RoleGrant[];
  mfaEnabled: boolean;
  createdAt: Date;
}

/** What the kernel needs from the module that owns sessions (identity). */
export interface Authenticator {
  resolve(db: Db, token: string, timeouts: { idleMs: number; absoluteMs: number }): Promise<SessionInfo | null>;
}

export interface Services {
  db: Db;
  kind: DatabaseKind;
  keys: KeyRing;
  config: Config;
}

export type Tx = Transaction<Database>;
export type Audit = (event: AuditEvent) => void;

/**
 * The one gateway from a request to data. Built per request from the session: it knows who acts,
 * in which programmes each permission holds, and it writes the audit trail in the same
 * transaction as the change it describes.
 */
export class RequestContext {
  readonly #services: Services;
  readonly requestId: string;
  readonly ip: string;
  readonly locale: Locale;
  readonly session: SessionInfo | null;

  constructor(services: Services, init: { requestId: string; ip: string; locale: Locale; session: SessionInfo | null }) {
    this.#services = services;
    this.requestId = init.requestId;
    this.ip = init.ip;
    this.locale = init.locale;
    this.session = init.session;
  }

  get kind(): DatabaseKind {
    return this.#services.kind;
  }

  get keys(): KeyRing {
    return this.#services.keys;
  }

  get config(): Config {
    return this.#services.config;
  }

  /** The signed-in user; throws 401 when there is none. */
  get user(): SessionInfo {
    if (!this.session) throw problems.unauthenticated();
    return this.session;
  }

  get actor(): AuditActor {
    const s = this.session;
    return {
      userId: s?.userId ?? null,
      organisationId: s?.organisationId ?? null,
      role: s ? roleLabel(s.grants) : null,
      requestId: this.requestId,
      ip: this.ip,
    };
  }

  t(key: string, params?: Record<string, unknown>): string {
    return translate(this.locale, key, params);
  }

  scope(permission: Permission): Scope {
    return this.session ? scopeOf(this.session.grants, permission) : { kind: 'none' };
  }

  /** True when the user holds `permission` in that programme (or everywhere). */
  allows(permission: Permission, programmeId: string): boolean {
    const s = this.scope(permission);
    return s.kind === 'all' || (s.kind === 'programmes' && s.ids.includes(programmeId));
  }

  /** Reads. Queries over programme records must filter with `scope()`; see docs/architecture.md. */
  read<T>(fn: (db: Db) => Promise<T>): Promise<T> {
    return fn(this.#services.db);
  }

  /** One transaction: the change and its audit events commit together or not at all. */
  write<T>(fn: (tx: Tx, audit: Audit) => Promise<T>, opts: { actor?: Partial<AuditActor> } = {}): Promise<T> {
    return this.#services.db.transaction().execute(async (tx) => {
      const events: AuditEvent[] = [];
      const result = await fn(tx, (e) => events.push(e));
      // `actor` names who acts when the session does not say it yet (a successful sign-in).
      await appendAudit(tx, { ...this.actor, ...opts.actor }, events);
      return result;
    });
  }

  /**
   * Work that commits in several transactions of its own (a streamed import: batches of rows,
   * then the preview) and writes its own audit events with `actor`. Prefer `write`.
   */
  steps<T>(fn: (db: Db, actor: AuditActor) => Promise<T>): Promise<T> {
    return fn(this.#services.db, this.actor);
  }

  /** Audit events that stand alone: logins, refusals, reads of identifying data. */
  audit(...events: AuditEvent[]): Promise<void> {
    return recordAudit(this.#services.db, this.actor, events);
  }
}
