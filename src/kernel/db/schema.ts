import type { ColumnType, Generated } from 'kysely';

/**
 * The typed shape of every table. The kernel declares its own tables here; each module adds its
 * tables by declaration merging in its own `schema.ts`:
 *
 *   declare module '../../kernel/db/schema.ts' { interface Database { users: UsersTable } }
 */
export interface Database {
  haven_migrations: MigrationsTable;
  audit_events: AuditEventsTable;
  audit_head: AuditHeadTable;
  audit_pending: AuditPendingTable;
  scheduled_runs: ScheduledRunsTable;
}

/** timestamptz columns: both drivers give a Date. */
export type Timestamp = Date;

export interface MigrationsTable {
  name: string;
  checksum: string;
  applied_at: ColumnType<Date, never, never>;
}

export interface AuditEventsTable {
  seq: number;
  at: Timestamp;
  actor_user_id: string | null;
  actor_organisation_id: string | null;
  actor_role: string | null;
  action: string;
  record_type: string | null;
  record_id: string | null;
  programme_id: string | null;
  outcome: 'success' | 'failure' | 'denied';
  request_id: string | null;
  purpose: string | null;
  ip: string | null;
  details: ColumnType<Record<string, unknown>, string, never>;
  prev_hash: string;
  hash: string;
}

/** Events of a transaction not yet linked into the chain: emptied by a trigger when it commits (migration 202612020002). */
export interface AuditPendingTable extends Omit<AuditEventsTable, 'seq' | 'prev_hash' | 'hash'> {
  id: Generated<string>;
  body: string;
}

export interface AuditHeadTable {
  id: Generated<number>;
  last_seq: number;
  last_hash: string;
}

export interface ScheduledRunsTable {
  job: string;
  run_on: string;
  started_at: Generated<Timestamp>;
  finished_at: Timestamp | null;
  result: ColumnType<Record<string, unknown> | null, string | null, string | null>;
}
