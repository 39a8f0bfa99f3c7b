/**
 * Importing a police export: the rules, independent of HTTP (the routes and `haven import` both
 * call these functions).
 *
 * 1. `startImport` checks that an active protocol covers the sender, the programme and today,
 *    and fixes the column mapping (fields the protocol's categories do not allow are dropped).
 * 2. `stageFile` streams the file through the parser and the normalisers and writes one staged
 *    row per data row, in batches: facts in clear, identity sealed, PV number sealed, keyed
 *    hashes for look-ups. Nothing is a dossier yet; the preview is computed from these rows.
 *    A file that cannot be read leaves nothing behind: the import and its rows are deleted.
 * 3. `commitImport` turns every accepted row into dossiers, contacts and vault entries in one
 *    transaction, in a few set-based statements: all rows or none. Rows already known (same
 *    person on the same PV in this programme) create nothing.
 */
import { sql } from 'kysely';
import type { AuditActor } from '../../kernel/audit/audit.ts';
import { appendAudit } from '../../kernel/audit/audit.ts';
import type { Db } from '../../kernel/db/database.ts';
import { Problem, problems } from '../../kernel/http/problem.ts';
import type { KeyRing } from '../../kernel/vault/keyring.ts';
import {
  type ColumnMapping,
  FIELD_CATEGORY,
  type FieldWarning,
  IMPORT_FIELDS,
  type ImportField,
  type NormalisedRow,
  REQUIRED_FIELDS,
  type SetAsideReason,
} from './fields.ts';
import { checkMapping, compileMapping, suggestMapping } from './parsing/headers.ts';
import { normaliseRow } from './parsing/normalise.ts';
import { openTable, TableError } from './parsing/table.ts';
import { brusselsToday, findActiveProtocol, type ProtocolRow } from './protocols.ts';
import type { ImportCounts, RowFacts } from './schema.ts';
import { type IdentityDocument, identityContext, municipalityKey, personHash, phoneHash, pvContext, pvHash } from './vault.ts';

export interface ImportDeps {
  db: Db;
  keys: KeyRing;
  actor: AuditActor;
}

const BATCH = 1000;

/** The parser's mapping problems, as the error catalogue names them. */
const MAPPING_PROBLEM_CODES = {
  header_absent: 'header_missing',
  header_mapped_twice: 'header_twice',
  required_unmapped: 'mapping_required',
  unknown_field: 'unknown_field',
} as const;
const MAX_COLUMNS = 200;

/** Turns a parser failure into a problem on the `file` field, translated by its code. */
export function fileProblem(error: TableError): Problem {
  return problems.invalidField('file', `file_${error.code}`, error.params);
}

// ---------------------------------------------------------------------------------------------
// Inspect: the headers of a file and the mapping Haven suggests for them.

export interface Inspection {
  format: 'csv' | 'xlsx';
  encoding: string | null;
  delimiter: string | null;
  headers: string[];
  suggested: ColumnMapping;
  unknownHeaders: string[];
  missingRequired: ImportField[];
  /** Saved mappings of the sender whose headers all exist in this file. */
  savedMappings: { name: string; columns: ColumnMapping }[];
}

export async function inspectFile(
  db: Db,
  source: AsyncIterable<Uint8Array>,
  opts: { fileName: string; senderOrganisationId: string | null },
): Promise<Inspection> {
  let table: Awaited<ReturnType<typeof openTable>>;
  try {
    table = await openTable(source, { fileName: opts.fileName, maxColumns: MAX_COLUMNS });
  } catch (error) {
    if (error instanceof TableError) throw fileProblem(error);
    throw error;
  }
  const s = suggestMapping(table.headers);
  const saved = opts.senderOrganisationId
    ? await db
        .selectFrom('column_mappings')
        .select(['name', 'columns'])
        .where('sender_organisation_id', '=', opts.senderOrganisationId)
        .orderBy('name')
        .execute()
    : [];
  const headerSet = new Set(table.headers);
  return {
    format: table.format,
    encoding: table.encoding,
    delimiter: table.delimiter,
    headers: table.headers,
    suggested: s.mapping,
    unknownHeaders: s.unknownHeaders,
    missingRequired: s.missingRequired,
    savedMappings: saved.filter((m) => Object.values(m.columns).every((h) => h === undefined || headerSet.has(h))),
  };
}

// ---------------------------------------------------------------------------------------------
// Start: protocol and mapping.

export interface StartImport {
  programmeId: string;
  senderOrganisationId: string;
  fileName: string;
  /** The mapping to use, or the name of a saved one. */
  columns?: ColumnMapping;
  mappingName?: string;
  /** Save `columns` under this name for the sender. */
  saveMappingAs?: string;
  uploadedBy: string | null;
}

export interface Started {
  importId: string;
  protocol: ProtocolRow;
  columns: ColumnMapping;
  droppedFields: ImportField[];
}

/** No active protocol covers this sender, programme and date: nothing may be imported. */
export function noActiveProtocol(): Problem {
  return new Problem(422, 'no_active_protocol');
}

export async function startImport(deps: ImportDeps, input: StartImport): Promise<Started> {
  const { db } = deps;
  const protocol = await findActiveProtocol(db, { programmeId: input.programmeId, senderOrganisationId: input.senderOrganisationId, on: brusselsToday() });
  if (!protocol) {
    await db.transaction().execute((tx) =>
      appendAudit(tx, deps.actor, [
        {
          action: 'import.refused',
          outcome: 'failure',
          recordType: 'programme',
          recordId: input.programmeId,
          programmeId: input.programmeId,
          details: { reason: 'no_active_protocol', senderOrganisationId: input.senderOrganisationId },
        },
      ]),
    );
    throw noActiveProtocol();
  }
  let columns: ColumnMapping | undefined = input.columns;
  if (!columns && input.mappingName) {
    const saved = await db
      .selectFrom('column_mappings')
      .select('columns')
      .where('sender_organisation_id', '=', input.senderOrganisationId)
      .where('name', '=', input.mappingName)
      .executeTakeFirst();
    if (!saved) throw problems.invalidField('mappingName', 'mapping_unknown', { name: input.mappingName });
    columns = saved.columns;
  }
  if (!columns) throw problems.invalidField('columns', 'required');
  const allowed = new Set(protocol.categories);
  const kept: ColumnMapping = {};
  const droppedFields: ImportField[] = [];
  for (const field of IMPORT_FIELDS) {
    const header = columns[field];
    if (header === undefined) continue;
    if (allowed.has(FIELD_CATEGORY[field])) kept[field] = header;
    else droppedFields.push(field);
  }
  const required = REQUIRED_FIELDS.filter((f) => allowed.has(FIELD_CATEGORY[f]));
  const missing = required.filter((f) => kept[f] === undefined);
  if (missing.length) {
    throw problems.validation(
      missing.map((f) => ({ field: `columns.${f}`, code: 'mapping_required', key: 'errors:field.mapping_required', params: { field: f } })),
    );
  }
  const importId = await db.transaction().execute(async (tx) => {
    if (input.saveMappingAs && input.columns) {
      await tx
        .insertInto('column_mappings')
        .values({ sender_organisation_id: input.senderOrganisationId, name: input.saveMappingAs, columns: JSON.stringify(input.columns) })
        .onConflict((oc) => oc.columns(['sender_organisation_id', 'name']).doUpdateSet({ columns: JSON.stringify(input.columns), updated_at: sql`now()` }))
        .execute();
    }
    const row = await tx
      .insertInto('imports')
      .values({
        programme_id: input.programmeId,
        sender_organisation_id: input.senderOrganisationId,
        protocol_id: protocol.id,
        uploaded_by: input.uploadedBy,
        file_name: input.fileName,
        mapping_name: input.saveMappingAs ?? input.mappingName ?? null,
        columns: JSON.stringify(kept),
        dropped_fields: droppedFields,
        status: 'awaiting_file',
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    await appendAudit(tx, deps.actor, [
      {
        action: 'import.start',
        recordType: 'import',
        recordId: row.id,
        programmeId: input.programmeId,
        details: { protocolId: protocol.id, senderOrganisationId: input.senderOrganisationId, droppedFields, savedMapping: input.saveMappingAs ?? null },
      },
    ]);
    return row.id;
  });
  return { importId, protocol, columns: kept, droppedFields };
}

// ---------------------------------------------------------------------------------------------
// Stage: parse, normalise, seal, write the rows; then the preview figures.

interface StagedRow {
  import_id: string;
  row_no: number;
  outcome: 'accepted' | 'warning' | 'set_aside';
  reason: string | null;
  warnings: string;
  pv_hash: string | null;
  person_hash: string | null;
  facts: string | null;
  identity: string | null;
  pv_number: string | null;
}

function identityOf(row: NormalisedRow): IdentityDocument {
  const doc: IdentityDocument = {};
  if (row.last_name) doc.lastName = row.last_name;
  if (row.first_name) doc.firstName = row.first_name;
  if (row.birth_date) doc.birthDate = row.birth_date;
  if (row.mobile) doc.mobile = row.mobile;
  if (row.phone) doc.phone = row.phone;
  if (row.email) doc.email = row.email;
  if (row.street) doc.street = row.street;
  if (row.house_number) doc.houseNumber = row.house_number;
  if (row.box) doc.box = row.box;
  if (row.remarks) doc.remarks = row.remarks;
  return doc;
}

/** What one normalised row becomes in the staging table. */
export function stageRow(
  keys: KeyRing,
  ctx: { importId: string; programmeId: string; municipalities: Map<string, string> },
  rowNo: number,
  result: { row: NormalisedRow; warnings: FieldWarning[]; setAside?: SetAsideReason },
): StagedRow {
  const { row } = result;
  const warnings = [...result.warnings];
  let nis: string | undefined;
  if (row.municipality) {
    nis = ctx.municipalities.get(municipalityKey(row.municipality));
    if (!nis && ctx.municipalities.size > 0) warnings.push({ field: 'municipality', code: 'municipality_unknown' });
  }
  // A row that cannot become a contact is set aside whatever its colour: an orange row without a
  // PV number cannot go to the coordinator's list either (the report names it).
  const blocking: SetAsideReason | null = !row.pv_number ? 'no_pv_number' : !row.colour ? 'no_colour' : !row.last_name && !row.first_name ? 'no_name' : null;
  const reason = blocking ?? result.setAside ?? null;
  const base = { import_id: ctx.importId, row_no: rowNo, warnings: JSON.stringify(warnings) };
  if (!row.pv_number || blocking) {
    return {
      ...base,
      outcome: 'set_aside',
      reason: blocking ?? 'no_pv_number',
      pv_hash: null,
      person_hash: null,
      facts: null,
      identity: null,
      pv_number: row.pv_number ? keys.seal(row.pv_number, 'import_rows.pv_number') : null,
    };
  }
  const pv = pvHash(keys, ctx.programmeId, row.pv_number);
  const person = personHash(keys, ctx.programmeId, row);
  const phone = row.mobile ?? row.phone;
  const facts: RowFacts = {
    colour: row.colour ?? 'green',
    has_phone: phone !== undefined,
    ...(phone ? { phone_hash: phoneHash(keys, ctx.programmeId, phone) } : {}),
    ...(row.police_zone ? { police_zone: row.police_zone } : {}),
    ...(row.municipality ? { municipality: row.municipality } : {}),
    ...(nis ? { nis_code: nis } : {}),
    ...(row.postcode ? { postcode: row.postcode } : {}),
    ...(row.relation ? { relation: row.relation } : {}),
    ...(row.minors_present !== undefined ? { minors_present: row.minors_present } : {}),
    ...(row.facts_date ? { facts_on: row.facts_date } : {}),
    ...(row.registration_date ? { registered_on: row.registration_date } : {}),
    ...(row.role ? { role: row.role } : {}),
    ...(row.gender ? { gender: row.gender } : {}),
    ...(row.language ? { language: row.language } : {}),
    ...(row.birth_date ? { birth_year: Number(row.birth_date.slice(0, 4)) } : {}),
  };
  return {
    ...base,
    outcome: reason ? 'set_aside' : warnings.length ? 'warning' : 'accepted',
    reason,
    pv_hash: pv,
    person_hash: person,
    facts: JSON.stringify(facts),
    identity: keys.seal(JSON.stringify(identityOf(row)), identityContext(person)),
    pv_number: keys.seal(row.pv_number, pvContext(pv)),
  };
}

/**
 * One statement per batch with one array parameter per column (`unnest`), instead of a VALUES
 * list with ten parameters per row: the driver and the planner handle ten values, not 10,000.
 */
async function insertStaged(tx: Db, rows: StagedRow[]): Promise<void> {
  const col = <K extends keyof StagedRow>(k: K) => rows.map((r) => r[k]);
  await sql`
    INSERT INTO import_rows (import_id, row_no, outcome, reason, warnings, pv_hash, person_hash, facts, identity, pv_number)
    SELECT ${rows[0]?.import_id}::uuid, u.row_no, u.outcome, u.reason, u.warnings::jsonb, u.pv_hash, u.person_hash, u.facts::jsonb, u.identity, u.pv_number
    FROM unnest(${col('row_no')}::int[], ${col('outcome')}::text[], ${col('reason')}::text[], ${col('warnings')}::text[], ${col('pv_hash')}::text[],
                ${col('person_hash')}::text[], ${col('facts')}::text[], ${col('identity')}::text[], ${col('pv_number')}::text[])
      AS u(row_no, outcome, reason, warnings, pv_hash, person_hash, facts, identity, pv_number)`.execute(tx);
}

async function projectMunicipalities(db: Db, programmeId: string): Promise<Map<string, string>> {
  const rows = await db
    .selectFrom('programmes as p')
    .innerJoin('project_municipalities as m', 'm.project_id', 'p.project_id')
    .select(['m.name', 'm.nis_code'])
    .where('p.id', '=', programmeId)
    .execute();
  return new Map(rows.map((r) => [municipalityKey(r.name), r.nis_code]));
}

/** Rows set aside from the import or from the green flow, by the reason that decides. */
const COMMITTABLE = sql<boolean>`(outcome <> 'set_aside' OR reason IN ('orange', 'red'))`;

export async function stageFile(
  deps: ImportDeps,
  importId: string,
  source: AsyncIterable<Uint8Array>,
  opts: { fileSize?: () => number; sha256?: () => string } = {},
): Promise<ImportCounts> {
  const { db, keys } = deps;
  const imp = await db.selectFrom('imports').selectAll().where('id', '=', importId).executeTakeFirstOrThrow();
  if (imp.status !== 'awaiting_file') throw problems.conflict('import_wrong_status', { status: imp.status });
  await db.updateTable('imports').set({ status: 'parsing' }).where('id', '=', importId).execute();
  const municipalities = await projectMunicipalities(db, imp.programme_id);
  const today = brusselsToday();
  const ctx = { importId, programmeId: imp.programme_id, municipalities };
  try {
    const table = await openTable(source, { fileName: imp.file_name, maxColumns: MAX_COLUMNS });
    const mappingProblems = checkMapping(table.headers, imp.columns);
    if (mappingProblems.length) {
      await table.close();
      throw problems.validation(
        mappingProblems.map((p) => {
          const code = MAPPING_PROBLEM_CODES[p.code];
          return { field: `columns.${p.field}`, code, key: `errors:field.${code}`, params: { field: p.field, header: p.header ?? '' } };
        }),
      );
    }
    const project = compileMapping(table.headers, imp.columns);
    let batch: StagedRow[] = [];
    let rows = 0;
    const flush = async () => {
      if (!batch.length) return;
      const values = batch;
      batch = [];
      await db.transaction().execute(async (tx) => {
        await insertStaged(tx, values);
        await tx.updateTable('imports').set({ rows_read: rows }).where('id', '=', importId).execute();
      });
    };
    for await (const r of table.rows) {
      rows++;
      batch.push(stageRow(keys, ctx, r.rowNo, normaliseRow(project(r.cells), { today })));
      if (batch.length >= BATCH) await flush();
    }
    await flush();
    if (rows === 0) throw new TableError('header_only', {});
    const counts = await db.transaction().execute(async (tx) => {
      // The same person twice in this file: the first row counts.
      await sql`
        UPDATE import_rows r SET outcome = 'set_aside', reason = 'duplicate_in_file'
        WHERE r.import_id = ${importId} AND r.person_hash IS NOT NULL AND ${COMMITTABLE}
          AND EXISTS (SELECT 1 FROM import_rows e WHERE e.import_id = r.import_id AND e.person_hash = r.person_hash AND e.row_no < r.row_no
                      AND (e.outcome <> 'set_aside' OR e.reason IN ('orange', 'red')))`.execute(tx);
      // Known from an earlier import (or a manual referral) of this programme.
      await sql`
        UPDATE import_rows r SET outcome = 'set_aside', reason = 'already_imported'
        WHERE r.import_id = ${importId} AND r.person_hash IS NOT NULL AND ${COMMITTABLE}
          AND EXISTS (SELECT 1 FROM contacts c WHERE c.programme_id = ${imp.programme_id} AND c.person_hash = r.person_hash)`.execute(tx);
      const counts = await previewCounts(tx, importId, imp.programme_id);
      await tx
        .updateTable('imports')
        .set({
          status: 'previewed',
          rows_read: rows,
          counts: JSON.stringify(counts),
          previewed_at: sql`now()`,
          file_size: opts.fileSize?.() ?? null,
          file_sha256: opts.sha256?.() ?? null,
          format: table.format,
          encoding: table.encoding,
          delimiter: table.delimiter,
        })
        .where('id', '=', importId)
        .execute();
      await appendAudit(tx, deps.actor, [
        {
          action: 'import.preview',
          recordType: 'import',
          recordId: importId,
          programmeId: imp.programme_id,
          details: { rows, accepted: counts.accepted, setAside: counts.setAside },
        },
      ]);
      return counts;
    });
    return counts;
  } catch (error) {
    // Nothing of a file that could not be read stays behind.
    await db.transaction().execute(async (tx) => {
      await tx.deleteFrom('imports').where('id', '=', importId).execute();
      await appendAudit(tx, deps.actor, [
        {
          action: 'import.failed',
          outcome: 'failure',
          recordType: 'import',
          recordId: importId,
          programmeId: imp.programme_id,
          details: { code: error instanceof TableError ? error.code : error instanceof Problem ? error.code : 'internal' },
        },
      ]);
    });
    if (error instanceof TableError) throw fileProblem(error);
    throw error;
  }
}

/** The preview's figures, from the staged rows (a transaction is a `Db` too). */
async function previewCounts(q: Db, importId: string, programmeId: string): Promise<ImportCounts> {
  const byOutcome = await q
    .selectFrom('import_rows')
    .select(['outcome', 'reason', sql<number>`count(*)::int`.as('n')])
    .where('import_id', '=', importId)
    .groupBy(['outcome', 'reason'])
    .execute();
  const warnings = await sql<{ code: string; n: number }>`
    SELECT w->>'code' AS code, count(*)::int AS n FROM import_rows, jsonb_array_elements(warnings) w
    WHERE import_id = ${importId} GROUP BY 1`.execute(q);
  const committable = await sql<{ dossiers: number; contacts: number; without_phone: number; new_dossiers: number }>`
    SELECT count(DISTINCT pv_hash)::int AS dossiers, count(*)::int AS contacts,
           count(*) FILTER (WHERE NOT (facts->>'has_phone')::boolean)::int AS without_phone,
           count(DISTINCT pv_hash) FILTER (WHERE NOT EXISTS (SELECT 1 FROM dossiers d WHERE d.programme_id = ${programmeId} AND d.pv_hash = import_rows.pv_hash))::int AS new_dossiers
    FROM import_rows WHERE import_id = ${importId} AND ${COMMITTABLE}`.execute(q);
  const c = committable.rows[0] ?? { dossiers: 0, contacts: 0, without_phone: 0, new_dossiers: 0 };
  const setAside: Record<string, number> = {};
  let rows = 0;
  let accepted = 0;
  let withWarnings = 0;
  for (const r of byOutcome) {
    const n = Number(r.n);
    rows += n;
    if (r.outcome === 'accepted') accepted += n;
    if (r.outcome === 'warning') {
      accepted += n;
      withWarnings += n;
    }
    if (r.outcome === 'set_aside' && r.reason) setAside[r.reason] = (setAside[r.reason] ?? 0) + n;
  }
  return {
    rows,
    accepted,
    withWarnings,
    setAside,
    warnings: Object.fromEntries(warnings.rows.map((w) => [w.code, Number(w.n)])),
    dossiers: Number(c.new_dossiers),
    contacts: Number(c.contacts),
    withoutPhone: Number(c.without_phone),
    alreadyKnown: (setAside.already_imported ?? 0) + (setAside.duplicate_in_file ?? 0),
  };
}

// ---------------------------------------------------------------------------------------------
// Commit and discard.

export interface CommitResult {
  dossiers: number;
  contacts: number;
  orangeRed: number;
}

export async function commitImport(deps: ImportDeps, importId: string, committedBy: string | null): Promise<CommitResult> {
  return deps.db.transaction().execute(async (tx) => {
    // The row lock makes two commits of one import wait for each other; the second sees it done.
    const imp = await tx.selectFrom('imports').selectAll().where('id', '=', importId).forUpdate().executeTakeFirstOrThrow();
    if (imp.status !== 'previewed') throw problems.conflict('import_wrong_status', { status: imp.status });
    const p = imp.programme_id;
    // Counts come back, never the new rows: a million-row export would otherwise bring a million
    // ids into the server's memory just to count them.
    const newDossiers = await sql<{ n: number }>`
      WITH rows AS (
        SELECT pv_hash, row_no, facts, pv_number FROM import_rows WHERE import_id = ${importId} AND ${COMMITTABLE}
      ), per_pv AS (
        SELECT pv_hash,
               (array_agg(facts ORDER BY row_no))[1] AS facts,
               (array_agg(pv_number ORDER BY row_no))[1] AS pv_number,
               max(CASE facts->>'colour' WHEN 'red' THEN 3 WHEN 'orange' THEN 2 ELSE 1 END) AS severity,
               bool_or((facts->>'minors_present')::boolean) AS minors_present
        FROM rows GROUP BY pv_hash
      ), inserted AS (
        INSERT INTO dossiers (programme_id, protocol_id, import_id, source, pv_hash, colour, police_zone, municipality, nis_code, postcode,
                              relation, minors_present, facts_on, registered_on, created_by)
        SELECT ${p}, ${imp.protocol_id}, ${importId}, 'import', pv_hash,
               CASE severity WHEN 3 THEN 'red' WHEN 2 THEN 'orange' ELSE 'green' END,
               facts->>'police_zone', facts->>'municipality', facts->>'nis_code', facts->>'postcode', facts->>'relation',
               minors_present, (facts->>'facts_on')::date, (facts->>'registered_on')::date, ${committedBy}
        FROM per_pv
        ON CONFLICT (programme_id, pv_hash) DO NOTHING
        RETURNING id, pv_hash
      ), vault AS (
        INSERT INTO dossier_identities (dossier_id, pv_number)
        SELECT i.id, per_pv.pv_number FROM inserted i JOIN per_pv USING (pv_hash)
      )
      SELECT count(*)::int AS n FROM inserted`.execute(tx);
    const newContacts = await sql<{ n: number; orange_red: number }>`
      WITH inserted AS (
        INSERT INTO contacts (dossier_id, programme_id, person_hash, role, gender, language, birth_year, has_phone, phone_hash)
        SELECT d.id, ${p}, r.person_hash, r.facts->>'role', r.facts->>'gender', r.facts->>'language', (r.facts->>'birth_year')::int,
               (r.facts->>'has_phone')::boolean, r.facts->>'phone_hash'
        FROM import_rows r JOIN dossiers d ON d.programme_id = ${p} AND d.pv_hash = r.pv_hash
        WHERE r.import_id = ${importId} AND ${COMMITTABLE}
        ORDER BY r.row_no
        ON CONFLICT (programme_id, person_hash) DO NOTHING
        RETURNING id, person_hash, dossier_id
      ), vault AS (
        INSERT INTO contact_identities (contact_id, person_hash, data)
        SELECT i.id, i.person_hash, r.identity FROM inserted i JOIN import_rows r ON r.import_id = ${importId} AND r.person_hash = i.person_hash AND ${COMMITTABLE}
      )
      SELECT count(*)::int AS n, count(*) FILTER (WHERE d.colour <> 'green')::int AS orange_red
      FROM inserted i JOIN dossiers d ON d.id = i.dossier_id`.execute(tx);
    // The staged identities now live in the vault; only what the import report needs stays.
    await sql`
      UPDATE import_rows SET identity = NULL, facts = NULL,
        pv_number = CASE WHEN outcome = 'accepted' THEN NULL ELSE pv_number END
      WHERE import_id = ${importId}`.execute(tx);
    const result: CommitResult = {
      dossiers: newDossiers.rows[0]?.n ?? 0,
      contacts: newContacts.rows[0]?.n ?? 0,
      orangeRed: newContacts.rows[0]?.orange_red ?? 0,
    };
    const counts = { ...(imp.counts as ImportCounts), dossiers: result.dossiers, contacts: result.contacts };
    await tx
      .updateTable('imports')
      .set({ status: 'committed', committed_at: sql`now()`, committed_by: committedBy, counts: JSON.stringify(counts) })
      .where('id', '=', importId)
      .execute();
    await appendAudit(tx, deps.actor, [{ action: 'import.commit', recordType: 'import', recordId: importId, programmeId: p, details: { ...result } }]);
    return result;
  });
}

export async function discardImport(deps: ImportDeps, importId: string): Promise<void> {
  await deps.db.transaction().execute(async (tx) => {
    const imp = await tx.selectFrom('imports').select(['status', 'programme_id']).where('id', '=', importId).forUpdate().executeTakeFirstOrThrow();
    if (imp.status !== 'previewed' && imp.status !== 'awaiting_file') throw problems.conflict('import_wrong_status', { status: imp.status });
    await tx.deleteFrom('import_rows').where('import_id', '=', importId).execute();
    await tx.updateTable('imports').set({ status: 'discarded' }).where('id', '=', importId).execute();
    await appendAudit(tx, deps.actor, [{ action: 'import.discard', recordType: 'import', recordId: importId, programmeId: imp.programme_id }]);
  });
}
