import { sql } from 'kysely';
import { z } from 'zod';
import type { Db } from '../../kernel/db/database.ts';
import type { RequestContext } from '../../kernel/http/context.ts';
import { problems } from '../../kernel/http/problem.ts';
import { defineRoute, paged, pageQuery } from '../../kernel/http/route.ts';
import type { UploadSpec } from '../../kernel/http/upload.ts';
import { translate } from '../../kernel/i18n/i18n.ts';
import { toCsv } from '../../kernel/spreadsheet/csv.ts';
import { type ColumnMapping, IMPORT_FIELDS } from './fields.ts';
import { commitImport, discardImport, inspectFile, stageFile, startImport } from './imports.ts';
import { brusselsToday, findActiveProtocol } from './protocols.ts';
import type { ImportCounts } from './schema.ts';
import { pvContext } from './vault.ts';

const FILE_TYPES = [
  'text/csv',
  'text/plain',
  'application/csv',
  'application/vnd.ms-excel',
  'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
  'application/octet-stream',
] as const;
const fileUpload: UploadSpec = { contentTypes: FILE_TYPES, maxBytes: (c) => c.importMaxBytes };

const programmeParams = z.strictObject({ programmeId: z.uuid() });
const importParams = z.strictObject({ programmeId: z.uuid(), importId: z.uuid() });
const fileName = z
  .string()
  .trim()
  .min(1)
  .max(200)
  .transform((v) => v.replace(/[^\p{L}\p{N} ._()-]+/gu, '_'));
const columnsSchema = z.partialRecord(z.enum(IMPORT_FIELDS), z.string().min(1).max(200));

const countsSchema = z.object({
  rows: z.number(),
  accepted: z.number(),
  withWarnings: z.number(),
  setAside: z.record(z.string(), z.number()),
  warnings: z.record(z.string(), z.number()),
  dossiers: z.number(),
  contacts: z.number(),
  withoutPhone: z.number(),
  alreadyKnown: z.number(),
});

const importSchema = z.object({
  id: z.string(),
  programmeId: z.string(),
  senderOrganisationId: z.string(),
  senderName: z.string(),
  protocolId: z.string().nullable(),
  protocolTitle: z.string().nullable(),
  uploadedBy: z.string().nullable(),
  uploadedByName: z.string().nullable(),
  fileName: z.string(),
  fileSize: z.number().nullable(),
  format: z.string().nullable(),
  encoding: z.string().nullable(),
  delimiter: z.string().nullable(),
  mappingName: z.string().nullable(),
  columns: columnsSchema,
  droppedFields: z.array(z.string()),
  status: z.string(),
  rowsRead: z.number(),
  counts: countsSchema.nullable(),
  createdAt: z.string(),
  previewedAt: z.string().nullable(),
  committedAt: z.string().nullable(),
});
type ImportView = z.infer<typeof importSchema>;

function importQuery(db: Db) {
  return db
    .selectFrom('imports as i')
    .innerJoin('organisations as o', 'o.id', 'i.sender_organisation_id')
    .leftJoin('protocols as p', 'p.id', 'i.protocol_id')
    .leftJoin('users as u', 'u.id', 'i.uploaded_by')
    .select([
      'i.id',
      'i.programme_id',
      'i.sender_organisation_id',
      'o.name as sender_name',
      'i.protocol_id',
      'p.title as protocol_title',
      'i.uploaded_by',
      'u.display_name as uploaded_by_name',
      'i.file_name',
      'i.file_size',
      'i.format',
      'i.encoding',
      'i.delimiter',
      'i.mapping_name',
      'i.columns',
      'i.dropped_fields',
      'i.status',
      'i.rows_read',
      'i.counts',
      'i.created_at',
      'i.previewed_at',
      'i.committed_at',
    ]);
}
type ImportRow = Awaited<ReturnType<ReturnType<typeof importQuery>['execute']>>[number];
const iso = (d: Date | null) => (d ? d.toISOString() : null);
const toImport = (r: ImportRow): ImportView => ({
  id: r.id,
  programmeId: r.programme_id,
  senderOrganisationId: r.sender_organisation_id,
  senderName: r.sender_name,
  protocolId: r.protocol_id,
  protocolTitle: r.protocol_title,
  uploadedBy: r.uploaded_by,
  uploadedByName: r.uploaded_by_name,
  fileName: r.file_name,
  fileSize: r.file_size === null ? null : Number(r.file_size),
  format: r.format,
  encoding: r.encoding,
  delimiter: r.delimiter,
  mappingName: r.mapping_name,
  columns: r.columns,
  droppedFields: r.dropped_fields,
  status: r.status,
  rowsRead: Number(r.rows_read),
  counts: (r.counts as ImportCounts | null) ?? null,
  createdAt: r.created_at.toISOString(),
  previewedAt: iso(r.previewed_at),
  committedAt: iso(r.committed_at),
});

/** Without `dossiers.read` in the programme (a police liaison), a user sees their own uploads only. */
function seesAllImports(ctx: RequestContext, programmeId: string): boolean {
  return ctx.allows('dossiers.read', programmeId);
}

/** The import, if this user may see it; else 404. */
async function visibleImport(ctx: RequestContext, programmeId: string, importId: string): Promise<ImportView> {
  const row = await ctx.read((db) => {
    let q = importQuery(db).where('i.id', '=', importId).where('i.programme_id', '=', programmeId);
    if (!seesAllImports(ctx, programmeId)) q = q.where('i.uploaded_by', '=', ctx.user.userId);
    return q.executeTakeFirst();
  });
  if (!row) throw problems.notFound();
  return toImport(row);
}

/**
 * Who sends: a police liaison imports for their own zone; a coordinator names the zone, or
 * when exactly one zone has an active protocol for the programme, it is that one.
 */
async function resolveSender(ctx: RequestContext, programmeId: string, requested: string | undefined): Promise<string> {
  if (!seesAllImports(ctx, programmeId)) {
    const own = ctx.user.organisationId;
    if (requested && requested !== own) throw problems.invalidField('senderOrganisationId', 'sender_not_own');
    return own;
  }
  if (requested) return requested;
  const senders = await activeSenders(ctx, programmeId);
  if (senders.length === 1) return (senders[0] as { id: string }).id;
  throw problems.invalidField('senderOrganisationId', 'required');
}

async function activeSenders(ctx: RequestContext, programmeId: string) {
  const today = brusselsToday();
  return ctx.read((db) =>
    db
      .selectFrom('protocols as p')
      .innerJoin('organisations as o', 'o.id', 'p.sender_organisation_id')
      .select(['o.id', 'o.name', 'p.id as protocol_id', 'p.title', 'p.categories', 'p.valid_to'])
      .where('p.programme_id', '=', programmeId)
      .where('p.revoked_at', 'is', null)
      .where('p.document_sha256', 'is not', null)
      .where('p.valid_from', '<=', today)
      .where((eb) => eb.or([eb('p.valid_to', 'is', null), eb('p.valid_to', '>=', today)]))
      .orderBy('o.name')
      .execute(),
  );
}

const importOptions = defineRoute({
  method: 'GET',
  url: '/programmes/:programmeId/imports/options',
  access: { permission: 'imports.create', programmeParam: 'programmeId' },
  summary: 'The senders this user may import for, with their active protocol and saved column mappings',
  tags: ['imports'],
  params: programmeParams,
  response: z.object({
    senders: z.array(
      z.object({
        id: z.string(),
        name: z.string(),
        protocol: z.object({ id: z.string(), title: z.string(), categories: z.array(z.string()), validTo: z.string().nullable() }),
        mappings: z.array(z.object({ name: z.string(), columns: columnsSchema })),
      }),
    ),
    maxBytes: z.number(),
  }),
  handler: async ({ params, ctx }) => {
    let senders = await activeSenders(ctx, params.programmeId);
    if (!seesAllImports(ctx, params.programmeId)) senders = senders.filter((s) => s.id === ctx.user.organisationId);
    const ids = senders.map((s) => s.id);
    const mappings = ids.length
      ? await ctx.read((db) =>
          db
            .selectFrom('column_mappings')
            .select(['sender_organisation_id', 'name', 'columns'])
            .where('sender_organisation_id', 'in', ids)
            .orderBy('name')
            .execute(),
        )
      : [];
    return {
      senders: senders.map((s) => ({
        id: s.id,
        name: s.name,
        protocol: { id: s.protocol_id, title: s.title, categories: s.categories, validTo: s.valid_to },
        mappings: mappings.filter((m) => m.sender_organisation_id === s.id).map((m) => ({ name: m.name, columns: m.columns })),
      })),
      maxBytes: ctx.config.importMaxBytes,
    };
  },
});

const inspect = defineRoute({
  method: 'POST',
  url: '/programmes/:programmeId/imports/inspect',
  access: { permission: 'imports.create', programmeParam: 'programmeId' },
  summary: 'Read the header of a police export (the first part of a CSV, or a whole XLSX): format, columns, suggested mapping',
  tags: ['imports'],
  params: programmeParams,
  query: z.strictObject({ fileName, senderOrganisationId: z.uuid().optional() }),
  upload: fileUpload,
  response: z.object({
    format: z.string(),
    encoding: z.string().nullable(),
    delimiter: z.string().nullable(),
    headers: z.array(z.string()),
    suggested: columnsSchema,
    unknownHeaders: z.array(z.string()),
    missingRequired: z.array(z.string()),
    savedMappings: z.array(z.object({ name: z.string(), columns: columnsSchema })),
  }),
  handler: async ({ params, query, ctx, upload }) => {
    const sender = await resolveSender(ctx, params.programmeId, query.senderOrganisationId).catch(() => null);
    if (!upload) throw problems.invalidField('file', 'required');
    return ctx.read((db) => inspectFile(db, upload.chunks(), { fileName: query.fileName, senderOrganisationId: sender }));
  },
});

const createImport = defineRoute({
  method: 'POST',
  url: '/programmes/:programmeId/imports',
  access: { permission: 'imports.create', programmeParam: 'programmeId' },
  summary: 'Start an import: checks the protocol and fixes the column mapping; the file follows with PUT …/file',
  tags: ['imports'],
  params: programmeParams,
  body: z
    .strictObject({
      fileName,
      senderOrganisationId: z.uuid().optional(),
      columns: columnsSchema.optional(),
      mappingName: z.string().trim().min(1).max(100).optional(),
      saveMappingAs: z.string().trim().min(1).max(100).optional(),
    })
    .refine((b) => b.columns || b.mappingName, { path: ['columns'], message: 'required' }),
  response: importSchema,
  status: 201,
  handler: async ({ params, body, ctx }) => {
    const sender = await resolveSender(ctx, params.programmeId, body.senderOrganisationId);
    const started = await ctx.steps((db, actor) =>
      startImport(
        { db, keys: ctx.keys, actor },
        {
          programmeId: params.programmeId,
          senderOrganisationId: sender,
          fileName: body.fileName,
          columns: body.columns as ColumnMapping | undefined,
          mappingName: body.mappingName,
          saveMappingAs: body.saveMappingAs,
          uploadedBy: ctx.user.userId,
        },
      ),
    );
    return visibleImport(ctx, params.programmeId, started.importId);
  },
});

const uploadFile = defineRoute({
  method: 'PUT',
  url: '/programmes/:programmeId/imports/:importId/file',
  access: { permission: 'imports.create', programmeParam: 'programmeId' },
  summary: 'Send the export of a started import: it is read, checked and staged; the answer is the preview',
  tags: ['imports'],
  params: importParams,
  upload: fileUpload,
  response: importSchema,
  handler: async ({ params, ctx, upload }) => {
    const imp = await visibleImport(ctx, params.programmeId, params.importId);
    if (imp.uploadedBy !== ctx.user.userId) throw problems.notFound();
    if (!upload) throw problems.invalidField('file', 'required');
    await ctx.steps((db, actor) =>
      stageFile({ db, keys: ctx.keys, actor }, params.importId, upload.chunks(), { fileSize: () => upload.bytesRead, sha256: () => upload.sha256() }),
    );
    return visibleImport(ctx, params.programmeId, params.importId);
  },
});

const listImports = defineRoute({
  method: 'GET',
  url: '/programmes/:programmeId/imports',
  access: { permission: 'imports.read', programmeParam: 'programmeId' },
  summary: 'Imports of the programme, newest first (a police liaison sees their own)',
  tags: ['imports'],
  params: programmeParams,
  query: pageQuery,
  response: paged(importSchema),
  handler: async ({ params, query, ctx }) => {
    const own = !seesAllImports(ctx, params.programmeId);
    const [rows, total] = await ctx.read(async (db) => {
      let q = importQuery(db).where('i.programme_id', '=', params.programmeId).where('i.status', '!=', 'discarded');
      let c = db
        .selectFrom('imports as i')
        .select(sql<number>`count(*)::int`.as('n'))
        .where('i.programme_id', '=', params.programmeId)
        .where('i.status', '!=', 'discarded');
      if (own) {
        q = q.where('i.uploaded_by', '=', ctx.user.userId);
        c = c.where('i.uploaded_by', '=', ctx.user.userId);
      }
      return Promise.all([
        q
          .orderBy('i.created_at', 'desc')
          .limit(query.pageSize)
          .offset((query.page - 1) * query.pageSize)
          .execute(),
        c.executeTakeFirstOrThrow().then((r) => Number(r.n)),
      ]);
    });
    return { items: rows.map(toImport), total, page: query.page, pageSize: query.pageSize };
  },
});

const getImport = defineRoute({
  method: 'GET',
  url: '/programmes/:programmeId/imports/:importId',
  access: { permission: 'imports.read', programmeParam: 'programmeId' },
  summary: 'One import: status, progress, preview figures',
  tags: ['imports'],
  params: importParams,
  response: importSchema,
  handler: async ({ params, ctx }) => visibleImport(ctx, params.programmeId, params.importId),
});

const rowSchema = z.object({
  rowNo: z.number(),
  outcome: z.string(),
  reason: z.string().nullable(),
  warnings: z.array(z.object({ field: z.string(), code: z.string() })),
  pvNumber: z.string().nullable(),
});

type StagedListRow = {
  row_no: number;
  outcome: string;
  reason: string | null;
  warnings: { field: string; code: string }[];
  pv_hash: string | null;
  pv_number: string | null;
};

function openPv(ctx: RequestContext, r: StagedListRow): string | null {
  if (!r.pv_number) return null;
  return ctx.keys.open(r.pv_number, r.pv_hash ? pvContext(r.pv_hash) : 'import_rows.pv_number');
}

const OUTCOMES = ['accepted', 'warning', 'set_aside'] as const;

const listRows = defineRoute({
  method: 'GET',
  url: '/programmes/:programmeId/imports/:importId/rows',
  access: { permission: 'imports.read', programmeParam: 'programmeId' },
  summary: 'The rows of an import with their outcome: set aside (and why), accepted with warnings',
  tags: ['imports'],
  params: importParams,
  query: pageQuery.extend({ outcome: z.enum(OUTCOMES).optional() }),
  response: paged(rowSchema),
  handler: async ({ params, query, ctx }) => {
    await visibleImport(ctx, params.programmeId, params.importId);
    const [rows, total] = await ctx.read(async (db) => {
      let q = db.selectFrom('import_rows').where('import_id', '=', params.importId);
      if (query.outcome) q = q.where('outcome', '=', query.outcome);
      return Promise.all([
        q
          .select(['row_no', 'outcome', 'reason', 'warnings', 'pv_hash', 'pv_number'])
          .orderBy('row_no')
          .limit(query.pageSize)
          .offset((query.page - 1) * query.pageSize)
          .execute(),
        q
          .select(sql<number>`count(*)::int`.as('n'))
          .executeTakeFirstOrThrow()
          .then((r) => Number(r.n)),
      ]);
    });
    const shown = rows.filter((r) => r.pv_number);
    if (shown.length) {
      await ctx.audit({
        action: 'import.rows_read',
        recordType: 'import',
        recordId: params.importId,
        programmeId: params.programmeId,
        details: { rows: shown.length },
      });
    }
    return {
      items: rows.map((r) => ({ rowNo: r.row_no, outcome: r.outcome, reason: r.reason, warnings: r.warnings, pvNumber: openPv(ctx, r as StagedListRow) })),
      total,
      page: query.page,
      pageSize: query.pageSize,
    };
  },
});

const report = defineRoute({
  method: 'GET',
  url: '/programmes/:programmeId/imports/:importId/report.csv',
  access: { permission: 'imports.read', programmeParam: 'programmeId' },
  summary: 'The import report: every row set aside with its reason, every field left empty with its warning (CSV)',
  tags: ['imports'],
  params: importParams,
  handler: async ({ params, ctx, reply }) => {
    const imp = await visibleImport(ctx, params.programmeId, params.importId);
    const rows = await ctx.read((db) =>
      db
        .selectFrom('import_rows')
        .select(['row_no', 'outcome', 'reason', 'warnings', 'pv_hash', 'pv_number'])
        .where('import_id', '=', params.importId)
        .where('outcome', '!=', 'accepted')
        .orderBy('row_no')
        .execute(),
    );
    const t = (key: string, p?: Record<string, unknown>) => translate(ctx.locale, key, p);
    const lines: (string | number | null)[][] = [
      [t('imports:report.row'), t('imports:report.pv'), t('imports:report.outcome'), t('imports:report.field'), t('imports:report.detail')],
    ];
    for (const r of rows) {
      const pv = openPv(ctx, r as StagedListRow);
      if (r.outcome === 'set_aside') lines.push([r.row_no, pv, t('imports:outcome.set_aside'), null, t(`imports:reason.${r.reason}`)]);
      for (const w of r.warnings) lines.push([r.row_no, pv, t('imports:outcome.warning'), t(`imports:field.${w.field}`), t(`imports:warning.${w.code}`)]);
    }
    await ctx.audit({
      action: 'import.report_download',
      recordType: 'import',
      recordId: params.importId,
      programmeId: params.programmeId,
      details: { rows: rows.length },
    });
    const name = `${imp.fileName.replace(/\.[^.]+$/, '')}-report.csv`;
    // A header takes Latin-1 only: the name in ASCII, and in full as RFC 6266's filename* (a file
    // called "Şanlıurfa.csv" must not turn the download into a 500).
    const ascii = name.replace(/[^\x20-\x7e]/g, '_').replace(/["\\]/g, '_');
    return reply
      .header('content-type', 'text/csv; charset=utf-8')
      .header('content-disposition', `attachment; filename="${ascii}"; filename*=UTF-8''${encodeURIComponent(name)}`)
      .send(toCsv(lines, { bom: true }));
  },
});

const commit = defineRoute({
  method: 'POST',
  url: '/programmes/:programmeId/imports/:importId/commit',
  access: { permission: 'imports.create', programmeParam: 'programmeId' },
  summary: 'Commit a previewed import: every accepted row becomes dossiers and contacts, in one transaction',
  tags: ['imports'],
  params: importParams,
  response: importSchema,
  handler: async ({ params, ctx }) => {
    await visibleImport(ctx, params.programmeId, params.importId);
    // The protocol must still hold on the day of the commit.
    const imp = await ctx.read((db) => db.selectFrom('imports').select(['sender_organisation_id']).where('id', '=', params.importId).executeTakeFirstOrThrow());
    const protocol = await ctx.read((db) =>
      findActiveProtocol(db, { programmeId: params.programmeId, senderOrganisationId: imp.sender_organisation_id, on: brusselsToday() }),
    );
    if (!protocol) throw problems.conflict('no_active_protocol');
    await ctx.steps((db, actor) => commitImport({ db, keys: ctx.keys, actor }, params.importId, ctx.user.userId));
    return visibleImport(ctx, params.programmeId, params.importId);
  },
});

const discard = defineRoute({
  method: 'POST',
  url: '/programmes/:programmeId/imports/:importId/discard',
  access: { permission: 'imports.create', programmeParam: 'programmeId' },
  summary: 'Drop a previewed import and its staged rows',
  tags: ['imports'],
  params: importParams,
  status: 204,
  handler: async ({ params, ctx }) => {
    await visibleImport(ctx, params.programmeId, params.importId);
    await ctx.steps((db, actor) => discardImport({ db, keys: ctx.keys, actor }, params.importId));
  },
});

export const importRoutes = [importOptions, inspect, createImport, uploadFile, listImports, getImport, listRows, report, commit, discard];
