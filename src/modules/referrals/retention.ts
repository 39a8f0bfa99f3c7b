/**
 * The end of retention: what names a person is destroyed, what reports count stays.
 *
 * A contact is due when it is closed and its `retention_until` (closed_at + the protocol's
 * retention days, set by `closeContact`) has passed. Purging it deletes its vault row
 * (`contact_identities`), forgets its phone look-up hash and sets `purged_at`; the contact row
 * itself (programme, dossier, role, gender, language, birth year, status, outcome, dates) stays,
 * and so do the dossier and everything recorded about the outreach. A dossier whose contacts
 * are all purged loses its sealed PV number. Sealed PV numbers kept on an import's rows for its
 * report go when the import's protocol's retention has passed since the commit; the staged rows
 * of an import never committed go after 7 days. One transaction, one audit event.
 */
import { sql } from 'kysely';
import type { AuditActor } from '../../kernel/audit/audit.ts';
import { appendAudit } from '../../kernel/audit/audit.ts';
import type { Db } from '../../kernel/db/database.ts';
import type { DailyJob, JobTx } from '../../kernel/jobs.ts';

/** Staged rows of an import that was never committed are kept this long for the person who uploaded it. */
export const STAGED_IMPORT_DAYS = 7;

export interface PurgeableContact {
  contactId: string;
  programmeSlug: string;
  closedAt: Date | null;
  retentionUntil: Date;
}

export interface PurgeResult {
  dryRun: boolean;
  /** The moment retention was measured against. */
  now: string;
  /** Contacts whose identifying data is (or would be) destroyed, with what a DPO needs to check it. */
  due: PurgeableContact[];
  contacts: number;
  contactIds: string[];
  /** Contacts per programme slug. */
  perProgramme: Record<string, number>;
  /** Dossiers whose sealed PV number goes, because all their contacts are purged. */
  dossierIdentities: number;
  dossierIds: string[];
  /** Sealed PV numbers and identities nulled on the rows of committed imports. */
  importRowValues: number;
  /** Imports never committed whose staged rows go after 7 days. */
  stagedImports: number;
  stagedImportIds: string[];
  stagedRows: number;
}

type Q = Db | JobTx;

/** A contact `c` whose retention has ended and whose identity is still kept. */
const due = (now: Date) =>
  sql<boolean>`(c.purged_at IS NULL AND c.status = 'closed' AND c.retention_until IS NOT NULL AND c.retention_until <= ${now}::timestamptz)`;

/**
 * A dossier `d` whose identity goes: it has contacts and each of them is purged or due now.
 * (A dossier without any contact keeps its PV number: it is not the purge's to decide.)
 */
const dossierDue = (now: Date) => sql<boolean>`(
  EXISTS (SELECT 1 FROM contacts c WHERE c.dossier_id = d.id)
  AND NOT EXISTS (SELECT 1 FROM contacts c WHERE c.dossier_id = d.id AND c.purged_at IS NULL AND NOT ${due(now)})
)`;

/**
 * A row `r` of a committed import `i` that still holds a sealed value and should not: the import's
 * protocol retention has passed since the commit, or the row names a purged person or dossier.
 */
const importRowDue = (now: Date) => sql<boolean>`(
  i.status = 'committed' AND (r.pv_number IS NOT NULL OR r.identity IS NOT NULL) AND (
    EXISTS (SELECT 1 FROM protocols p WHERE p.id = i.protocol_id AND i.committed_at + make_interval(days => p.retention_days) <= ${now}::timestamptz)
    OR EXISTS (SELECT 1 FROM dossiers d WHERE d.programme_id = i.programme_id AND d.pv_hash = r.pv_hash AND ${dossierDue(now)})
    OR EXISTS (SELECT 1 FROM contacts c WHERE c.programme_id = i.programme_id AND c.person_hash = r.person_hash AND (c.purged_at IS NOT NULL OR ${due(now)}))
  )
)`;

/** An import `i` never committed whose staged rows or preview have been left for 7 days. */
const stagedDue = (now: Date) => sql<boolean>`(
  i.status <> 'committed'
  AND coalesce(i.previewed_at, i.created_at) + make_interval(days => ${STAGED_IMPORT_DAYS}) <= ${now}::timestamptz
  AND (i.status IN ('previewed', 'awaiting_file', 'parsing') OR EXISTS (SELECT 1 FROM import_rows r WHERE r.import_id = i.id))
)`;

/** The contacts whose identifying data would go at `now`, oldest retention first. No personal data. */
export async function findPurgeable(db: Q, now: Date, opts: { lock?: boolean } = {}): Promise<PurgeableContact[]> {
  const rows = await sql<{ id: string; slug: string; closed_at: Date | null; retention_until: Date }>`
    SELECT c.id, p.slug, c.closed_at, c.retention_until
    FROM contacts c JOIN programmes p ON p.id = c.programme_id
    WHERE ${due(now)}
    ORDER BY c.retention_until, c.id
    ${opts.lock ? sql`FOR UPDATE OF c` : sql``}`.execute(db);
  return rows.rows.map((r) => ({ contactId: r.id, programmeSlug: r.slug, closedAt: r.closed_at, retentionUntil: r.retention_until }));
}

function perProgramme(list: PurgeableContact[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const c of list) counts[c.programmeSlug] = (counts[c.programmeSlug] ?? 0) + 1;
  return counts;
}

/**
 * Purges inside the caller's transaction (the daily job's claim). With dryRun, only reads:
 * the result says what would go.
 */
export async function purgeIn(tx: JobTx, opts: { now: Date; dryRun?: boolean; actor: AuditActor }): Promise<PurgeResult> {
  const { now } = opts;
  const dryRun = opts.dryRun ?? false;
  const list = await findPurgeable(tx, now, { lock: !dryRun });
  const ids = list.map((c) => c.contactId);

  if (dryRun) {
    const dossiers = await sql<{ id: string }>`
      SELECT d.id FROM dossiers d JOIN dossier_identities di ON di.dossier_id = d.id WHERE ${dossierDue(now)} ORDER BY d.id`.execute(tx);
    const rowValues = await sql<{ n: number }>`
      SELECT count(*)::int AS n FROM import_rows r JOIN imports i ON i.id = r.import_id WHERE ${importRowDue(now)}`.execute(tx);
    const staged = await sql<{ id: string; rows: number }>`
      SELECT i.id, (SELECT count(*)::int FROM import_rows r WHERE r.import_id = i.id) AS rows
      FROM imports i WHERE ${stagedDue(now)} ORDER BY i.id`.execute(tx);
    return {
      dryRun,
      now: now.toISOString(),
      due: list,
      contacts: ids.length,
      contactIds: ids,
      perProgramme: perProgramme(list),
      dossierIdentities: dossiers.rows.length,
      dossierIds: dossiers.rows.map((r) => r.id),
      importRowValues: rowValues.rows[0]?.n ?? 0,
      stagedImports: staged.rows.length,
      stagedImportIds: staged.rows.map((r) => r.id),
      stagedRows: staged.rows.reduce((sum, r) => sum + r.rows, 0),
    };
  }

  // Order matters only for the dossiers and import rows, whose conditions look at the contacts:
  // they are written to hold both before and after the contacts are marked purged.
  const dossiers = await sql<{ dossier_id: string }>`
    DELETE FROM dossier_identities di USING dossiers d
    WHERE di.dossier_id = d.id AND ${dossierDue(now)}
    RETURNING di.dossier_id`.execute(tx);
  const rowValues = await sql`
    UPDATE import_rows r SET pv_number = NULL, identity = NULL
    FROM imports i
    WHERE i.id = r.import_id AND ${importRowDue(now)}`.execute(tx);
  await sql`DELETE FROM contact_identities WHERE contact_id = ANY(${ids}::uuid[])`.execute(tx);
  // The phone look-up hash is a handle on the person, not a counted fact (has_phone is): it goes.
  await sql`UPDATE contacts SET purged_at = ${now}::timestamptz, phone_hash = NULL WHERE id = ANY(${ids}::uuid[])`.execute(tx);
  const staged = await sql<{ id: string }>`SELECT i.id FROM imports i WHERE ${stagedDue(now)} ORDER BY i.id FOR UPDATE OF i`.execute(tx);
  const stagedIds = staged.rows.map((r) => r.id);
  const deletedRows = await sql`DELETE FROM import_rows WHERE import_id = ANY(${stagedIds}::uuid[])`.execute(tx);
  // An import still 'parsing' after days is one whose process died mid-file: it failed.
  await sql`
    UPDATE imports SET status = CASE WHEN status = 'parsing' THEN 'failed' ELSE 'discarded' END
    WHERE id = ANY(${stagedIds}::uuid[]) AND status IN ('previewed', 'awaiting_file', 'parsing')`.execute(tx);

  const result: PurgeResult = {
    dryRun,
    now: now.toISOString(),
    due: list,
    contacts: ids.length,
    contactIds: ids,
    perProgramme: perProgramme(list),
    dossierIdentities: dossiers.rows.length,
    dossierIds: dossiers.rows.map((r) => r.dossier_id).sort(),
    importRowValues: Number(rowValues.numAffectedRows ?? 0),
    stagedImports: stagedIds.length,
    stagedImportIds: stagedIds,
    stagedRows: Number(deletedRows.numAffectedRows ?? 0),
  };
  await appendAudit(tx, opts.actor, [
    {
      action: 'retention.purge',
      details: {
        now: result.now,
        contacts: result.contacts,
        contactIds: result.contactIds,
        perProgramme: result.perProgramme,
        dossierIdentities: result.dossierIdentities,
        dossierIds: result.dossierIds,
        importRowValues: result.importRowValues,
        stagedImports: result.stagedImports,
        stagedImportIds: result.stagedImportIds,
        stagedRows: result.stagedRows,
      },
    },
  ]);
  return result;
}

/** Purges in a transaction of its own (`haven purge`); a dry run changes nothing. */
export async function purge(db: Db, opts: { now: Date; dryRun?: boolean; actor: AuditActor }): Promise<PurgeResult> {
  return db.transaction().execute((tx) => purgeIn(tx, opts));
}

/** The daily job: `haven serve` runs it once a day (src/kernel/jobs.ts). */
export const purgeJob: DailyJob = {
  name: 'referrals.retention-purge',
  async run(tx, deps) {
    const r = await purgeIn(tx, { now: deps.now, actor: deps.actor });
    // What scheduled_runs keeps: counts only (the ids are in the audit event).
    return {
      contacts: r.contacts,
      dossierIdentities: r.dossierIdentities,
      importRowValues: r.importRowValues,
      stagedImports: r.stagedImports,
      stagedRows: r.stagedRows,
    };
  },
};
