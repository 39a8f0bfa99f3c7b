/**
 * Data-sharing protocols: under which a police zone may share its green dossiers with a
 * programme. A protocol is recorded as a draft, becomes binding once its signed PDF is uploaded,
 * and from then on its substance is fixed: only its end date can move (extended, or brought
 * forward to end it), and it can be revoked. Anything else takes a new protocol.
 */
import { z } from 'zod';
import type { Db } from '../../kernel/db/database.ts';
import type { Tx } from '../../kernel/http/context.ts';
import { type FieldError, Problem, problems } from '../../kernel/http/problem.ts';
import { defineRoute } from '../../kernel/http/route.ts';
import { DATA_CATEGORIES, type DataCategory } from './fields.ts';
import { brusselsToday, looksLikePdf, PROTOCOL_STATUSES, protocolStatus, safePdfName } from './protocols.ts';
import { LEGAL_BASES, type LegalBasis } from './schema.ts';

/** The largest signed document accepted: a scanned protocol of a few pages fits easily. */
export const PROTOCOL_DOCUMENT_MAX_BYTES = 10 * 1024 * 1024;
/** At most ten years after a contact is closed. */
export const MAX_RETENTION_DAYS = 3650;

const programmeParams = z.strictObject({ programmeId: z.uuid() });
const protocolParams = z.strictObject({ programmeId: z.uuid(), protocolId: z.uuid() });
const isoDate = z.iso.date();

const title = z.string().trim().min(3).max(200);
const purpose = z.string().trim().min(10).max(4000);
const legalBasisText = z.string().trim().max(4000);
const retentionDays = z.number().int().min(0).max(MAX_RETENTION_DAYS);
/** Each category once, in the order of the closed list; `incident` is what makes a referral a referral. */
const categories = z
  .array(z.enum(DATA_CATEGORIES))
  .min(1)
  .max(DATA_CATEGORIES.length * 2)
  .transform((list) => DATA_CATEGORIES.filter((c) => list.includes(c)))
  .refine((list) => list.includes('incident'), { message: 'incident_required' });

const documentSchema = z.object({ name: z.string(), size: z.number().int(), sha256: z.string() });
const protocolSchema = z.object({
  id: z.string(),
  programmeId: z.string(),
  senderOrganisationId: z.string(),
  senderName: z.string(),
  receiverOrganisationId: z.string(),
  receiverName: z.string(),
  title: z.string(),
  purpose: z.string(),
  legalBasis: z.enum(LEGAL_BASES),
  legalBasisText: z.string(),
  categories: z.array(z.enum(DATA_CATEGORIES)),
  validFrom: z.string(),
  validTo: z.string().nullable(),
  retentionDays: z.number().int(),
  status: z.enum(PROTOCOL_STATUSES),
  document: documentSchema.nullable(),
  revokedAt: z.string().nullable(),
  createdBy: z.string().nullable(),
  createdByName: z.string().nullable(),
  createdAt: z.string(),
  updatedAt: z.string(),
});
type ProtocolView = z.infer<typeof protocolSchema>;

/** Every column but the document's bytes, which only the download reads. */
function protocolQuery(db: Db | Tx) {
  return db
    .selectFrom('protocols as p')
    .innerJoin('organisations as s', 's.id', 'p.sender_organisation_id')
    .innerJoin('organisations as r', 'r.id', 'p.receiver_organisation_id')
    .leftJoin('users as u', 'u.id', 'p.created_by')
    .select([
      'p.id',
      'p.programme_id',
      'p.sender_organisation_id',
      's.name as sender_name',
      'p.receiver_organisation_id',
      'r.name as receiver_name',
      'p.title',
      'p.purpose',
      'p.legal_basis',
      'p.legal_basis_text',
      'p.categories',
      'p.valid_from',
      'p.valid_to',
      'p.retention_days',
      'p.document_name',
      'p.document_sha256',
      'p.document_size',
      'p.revoked_at',
      'p.created_by',
      'u.display_name as created_by_name',
      'p.created_at',
      'p.updated_at',
    ]);
}
type ProtocolQueryRow = Awaited<ReturnType<ReturnType<typeof protocolQuery>['execute']>>[number];

const toProtocol = (r: ProtocolQueryRow, today: string): ProtocolView => ({
  id: r.id,
  programmeId: r.programme_id,
  senderOrganisationId: r.sender_organisation_id,
  senderName: r.sender_name,
  receiverOrganisationId: r.receiver_organisation_id,
  receiverName: r.receiver_name,
  title: r.title,
  purpose: r.purpose,
  legalBasis: r.legal_basis,
  legalBasisText: r.legal_basis_text,
  categories: r.categories,
  validFrom: r.valid_from,
  validTo: r.valid_to,
  retentionDays: Number(r.retention_days),
  status: protocolStatus(r, today),
  document: r.document_sha256 ? { name: r.document_name ?? 'protocol.pdf', size: Number(r.document_size ?? 0), sha256: r.document_sha256 } : null,
  revokedAt: r.revoked_at ? r.revoked_at.toISOString() : null,
  createdBy: r.created_by,
  createdByName: r.created_by_name,
  createdAt: r.created_at.toISOString(),
  updatedAt: r.updated_at.toISOString(),
});

/** The protocol, if it belongs to this programme; else 404 (another programme's protocol does not exist here). */
async function protocolIn(db: Db | Tx, programmeId: string, protocolId: string): Promise<ProtocolView> {
  const r = await protocolQuery(db).where('p.id', '=', protocolId).where('p.programme_id', '=', programmeId).executeTakeFirst();
  if (!r) throw problems.notFound();
  return toProtocol(r, brusselsToday());
}

/** The same row, locked for the rest of the transaction: two edits of one protocol run one after the other. */
async function lockProtocol(tx: Tx, programmeId: string, protocolId: string) {
  const r = await tx
    .selectFrom('protocols')
    .select([
      'id',
      'sender_organisation_id',
      'receiver_organisation_id',
      'legal_basis',
      'legal_basis_text',
      'valid_from',
      'valid_to',
      'document_sha256',
      'revoked_at',
    ])
    .where('id', '=', protocolId)
    .where('programme_id', '=', programmeId)
    .forUpdate()
    .executeTakeFirst();
  if (!r) throw problems.notFound();
  return r;
}

const signed = () => problems.conflict('protocol_signed');
const revoked = () => problems.conflict('protocol_revoked');

/**
 * The parties: the sender is an active police zone, the receiver any active organisation, and
 * they differ. Only the parties named in the request are checked (an edit of a draft's title does
 * not fail because its sender was deactivated since).
 */
async function checkParties(tx: Tx, q: { senderOrganisationId?: string; receiverOrganisationId?: string }, effective: { sender: string; receiver: string }) {
  const errors: FieldError[] = [];
  const ids = [q.senderOrganisationId, q.receiverOrganisationId].filter((x): x is string => !!x);
  const orgs = ids.length ? await tx.selectFrom('organisations').select(['id', 'kind', 'active']).where('id', 'in', ids).execute() : [];
  const byId = new Map(orgs.map((o) => [o.id, o]));
  if (q.senderOrganisationId) {
    const o = byId.get(q.senderOrganisationId);
    if (!o) errors.push({ field: 'senderOrganisationId', code: 'unknown_reference', key: 'errors:field.unknown_reference' });
    else if (o.kind !== 'police_zone')
      errors.push({ field: 'senderOrganisationId', code: 'sender_not_police_zone', key: 'errors:field.sender_not_police_zone' });
    else if (!o.active) errors.push({ field: 'senderOrganisationId', code: 'organisation_inactive', key: 'errors:field.organisation_inactive' });
  }
  if (q.receiverOrganisationId) {
    const o = byId.get(q.receiverOrganisationId);
    if (!o) errors.push({ field: 'receiverOrganisationId', code: 'unknown_reference', key: 'errors:field.unknown_reference' });
    else if (!o.active) errors.push({ field: 'receiverOrganisationId', code: 'organisation_inactive', key: 'errors:field.organisation_inactive' });
  }
  if ((q.senderOrganisationId || q.receiverOrganisationId) && effective.sender === effective.receiver && !errors.length) {
    errors.push({ field: 'receiverOrganisationId', code: 'receiver_is_sender', key: 'errors:field.receiver_is_sender' });
  }
  return errors;
}

/** Rules across fields, on the protocol as it would be after the change. */
function checkCoherence(p: { legalBasis: LegalBasis; legalBasisText: string; validFrom: string; validTo: string | null }): FieldError[] {
  const errors: FieldError[] = [];
  if (p.legalBasis === 'other' && !p.legalBasisText.trim()) errors.push({ field: 'legalBasisText', code: 'required', key: 'errors:field.required' });
  if (p.validTo !== null && p.validTo < p.validFrom) errors.push({ field: 'validTo', code: 'ends_before_start', key: 'errors:field.ends_before_start' });
  return errors;
}

const listProtocols = defineRoute({
  method: 'GET',
  url: '/programmes/:programmeId/protocols',
  access: { permission: 'protocols.read', programmeParam: 'programmeId' },
  summary: 'The data-sharing protocols of a programme, with their status today (draft, active, not yet valid, expired, revoked)',
  tags: ['protocols'],
  params: programmeParams,
  response: z.object({ items: z.array(protocolSchema) }),
  handler: async ({ params, ctx }) => {
    const today = brusselsToday();
    const rows = await ctx.read((db) =>
      protocolQuery(db)
        .where('p.programme_id', '=', params.programmeId)
        .orderBy('s.name')
        .orderBy('p.valid_from', 'desc')
        .orderBy('p.created_at', 'desc')
        .execute(),
    );
    return { items: rows.map((r) => toProtocol(r, today)) };
  },
});

const createBody = z
  .strictObject({
    senderOrganisationId: z.uuid(),
    receiverOrganisationId: z.uuid(),
    title,
    purpose,
    legalBasis: z.enum(LEGAL_BASES),
    legalBasisText: legalBasisText.default(''),
    categories,
    validFrom: isoDate,
    /** null: until revoked */
    validTo: isoDate.nullable().default(null),
    retentionDays,
  })
  .refine((b) => b.legalBasis !== 'other' || b.legalBasisText.length > 0, { message: 'required', path: ['legalBasisText'] })
  .refine((b) => b.validTo === null || b.validTo >= b.validFrom, { message: 'ends_before_start', path: ['validTo'] });

const createProtocol = defineRoute({
  method: 'POST',
  url: '/programmes/:programmeId/protocols',
  access: { permission: 'protocols.manage', programmeParam: 'programmeId' },
  summary: 'Record a protocol (a draft until its signed PDF is uploaded)',
  tags: ['protocols'],
  params: programmeParams,
  body: createBody,
  response: protocolSchema,
  status: 201,
  handler: async ({ params, body, ctx }) =>
    ctx.write(async (tx, audit) => {
      const errors = await checkParties(tx, body, { sender: body.senderOrganisationId, receiver: body.receiverOrganisationId });
      if (errors.length) throw problems.validation(errors);
      const r = await tx
        .insertInto('protocols')
        .values({
          programme_id: params.programmeId,
          sender_organisation_id: body.senderOrganisationId,
          receiver_organisation_id: body.receiverOrganisationId,
          title: body.title,
          purpose: body.purpose,
          legal_basis: body.legalBasis,
          legal_basis_text: body.legalBasisText,
          categories: body.categories,
          valid_from: body.validFrom,
          valid_to: body.validTo,
          retention_days: body.retentionDays,
          created_by: ctx.user.userId,
        })
        .returning('id')
        .executeTakeFirstOrThrow();
      audit({
        action: 'protocol.create',
        recordType: 'protocol',
        recordId: r.id,
        programmeId: params.programmeId,
        details: {
          senderOrganisationId: body.senderOrganisationId,
          receiverOrganisationId: body.receiverOrganisationId,
          legalBasis: body.legalBasis,
          categories: body.categories,
          validFrom: body.validFrom,
          validTo: body.validTo,
          retentionDays: body.retentionDays,
        },
      });
      return protocolIn(tx, params.programmeId, r.id);
    }),
});

const getProtocol = defineRoute({
  method: 'GET',
  url: '/programmes/:programmeId/protocols/:protocolId',
  access: { permission: 'protocols.read', programmeParam: 'programmeId' },
  summary: 'One protocol with its status and its document’s name, size and SHA-256',
  tags: ['protocols'],
  params: protocolParams,
  response: protocolSchema,
  handler: async ({ params, ctx }) => ctx.read((db) => protocolIn(db, params.programmeId, params.protocolId)),
});

const patchBody = z.strictObject({
  senderOrganisationId: z.uuid().optional(),
  receiverOrganisationId: z.uuid().optional(),
  title: title.optional(),
  purpose: purpose.optional(),
  legalBasis: z.enum(LEGAL_BASES).optional(),
  legalBasisText: legalBasisText.optional(),
  categories: categories.optional(),
  validFrom: isoDate.optional(),
  validTo: isoDate.nullable().optional(),
  retentionDays: retentionDays.optional(),
});

const updateProtocol = defineRoute({
  method: 'PATCH',
  url: '/programmes/:programmeId/protocols/:protocolId',
  access: { permission: 'protocols.manage', programmeParam: 'programmeId' },
  summary: 'Change a draft; of a signed protocol only the end date (extend it, or end it from today on). 409 otherwise',
  tags: ['protocols'],
  params: protocolParams,
  body: patchBody,
  response: protocolSchema,
  handler: async ({ params, body, ctx }) =>
    ctx.write(async (tx, audit) => {
      const before = await lockProtocol(tx, params.programmeId, params.protocolId);
      if (before.revoked_at) throw revoked();
      const fields = (Object.keys(body) as (keyof typeof body)[]).filter((k) => body[k] !== undefined);
      const isSigned = before.document_sha256 !== null;
      if (isSigned && fields.some((f) => f !== 'validTo')) throw signed();
      const after = {
        legalBasis: body.legalBasis ?? before.legal_basis,
        legalBasisText: body.legalBasisText ?? before.legal_basis_text,
        validFrom: body.validFrom ?? before.valid_from,
        validTo: body.validTo !== undefined ? body.validTo : before.valid_to,
      };
      const errors = [
        ...checkCoherence(after),
        ...(await checkParties(tx, body, {
          sender: body.senderOrganisationId ?? before.sender_organisation_id,
          receiver: body.receiverOrganisationId ?? before.receiver_organisation_id,
        })),
      ];
      // A signed protocol is not ended in the past: what was imported under it stays covered.
      if (isSigned && body.validTo !== undefined && body.validTo !== null && body.validTo !== before.valid_to && body.validTo < brusselsToday()) {
        errors.push({ field: 'validTo', code: 'valid_to_in_past', key: 'errors:field.valid_to_in_past' });
      }
      if (errors.length) throw problems.validation(errors);
      if (fields.length) {
        await tx
          .updateTable('protocols')
          .set({
            ...(body.senderOrganisationId !== undefined ? { sender_organisation_id: body.senderOrganisationId } : {}),
            ...(body.receiverOrganisationId !== undefined ? { receiver_organisation_id: body.receiverOrganisationId } : {}),
            ...(body.title !== undefined ? { title: body.title } : {}),
            ...(body.purpose !== undefined ? { purpose: body.purpose } : {}),
            ...(body.legalBasis !== undefined ? { legal_basis: body.legalBasis } : {}),
            ...(body.legalBasisText !== undefined ? { legal_basis_text: body.legalBasisText } : {}),
            ...(body.categories !== undefined ? { categories: body.categories as DataCategory[] } : {}),
            ...(body.validFrom !== undefined ? { valid_from: body.validFrom } : {}),
            ...(body.validTo !== undefined ? { valid_to: body.validTo } : {}),
            ...(body.retentionDays !== undefined ? { retention_days: body.retentionDays } : {}),
            updated_at: new Date(),
          })
          .where('id', '=', params.protocolId)
          .execute();
        audit({
          action: 'protocol.update',
          recordType: 'protocol',
          recordId: params.protocolId,
          programmeId: params.programmeId,
          details: {
            fields,
            signed: isSigned,
            ...(body.validTo !== undefined ? { validTo: { from: before.valid_to, to: body.validTo } } : {}),
          },
        });
      }
      return protocolIn(tx, params.programmeId, params.protocolId);
    }),
});

const revokeProtocol = defineRoute({
  method: 'POST',
  url: '/programmes/:programmeId/protocols/:protocolId/revoke',
  access: { permission: 'protocols.manage', programmeParam: 'programmeId' },
  summary: 'Revoke a protocol: from now on nothing can be imported under it. It cannot be undone',
  tags: ['protocols'],
  params: protocolParams,
  response: protocolSchema,
  handler: async ({ params, ctx }) =>
    ctx.write(async (tx, audit) => {
      const before = await lockProtocol(tx, params.programmeId, params.protocolId);
      if (before.revoked_at) throw revoked();
      const now = new Date();
      await tx.updateTable('protocols').set({ revoked_at: now, updated_at: now }).where('id', '=', params.protocolId).execute();
      audit({
        action: 'protocol.revoke',
        recordType: 'protocol',
        recordId: params.protocolId,
        programmeId: params.programmeId,
        details: { signed: before.document_sha256 !== null },
      });
      return protocolIn(tx, params.programmeId, params.protocolId);
    }),
});

const uploadDocument = defineRoute({
  method: 'PUT',
  url: '/programmes/:programmeId/protocols/:protocolId/document',
  access: { permission: 'protocols.manage', programmeParam: 'programmeId' },
  summary: 'Upload the signed protocol (PDF, at most 10 MB): from then on the protocol is binding and its substance fixed',
  tags: ['protocols'],
  params: protocolParams,
  query: z.strictObject({ fileName: z.string().max(500).optional() }),
  upload: { contentTypes: ['application/pdf'], maxBytes: PROTOCOL_DOCUMENT_MAX_BYTES },
  response: protocolSchema,
  handler: async ({ params, query, ctx, upload }) => {
    // Refused before reading when the protocol cannot take a document.
    const current = await ctx.read((db) => protocolIn(db, params.programmeId, params.protocolId));
    if (current.status === 'revoked') throw revoked();
    if (current.document) throw problems.conflict('protocol_document_exists');
    if (!upload) throw problems.invalidField('file', 'required');
    const bytes = await upload.buffer();
    if (bytes.length === 0) throw problems.invalidField('file', 'file_empty');
    if (!looksLikePdf(bytes)) throw new Problem(415, 'document_not_pdf');
    const sha256 = upload.sha256();
    const name = safePdfName(query.fileName);
    return ctx.write(async (tx, audit) => {
      // Only a draft takes a document: checked again under the lock, for two uploads at once.
      const before = await lockProtocol(tx, params.programmeId, params.protocolId);
      if (before.revoked_at) throw revoked();
      if (before.document_sha256) throw problems.conflict('protocol_document_exists');
      await tx
        .updateTable('protocols')
        .set({ document: bytes, document_name: name, document_size: bytes.length, document_sha256: sha256, updated_at: new Date() })
        .where('id', '=', params.protocolId)
        .execute();
      audit({
        action: 'protocol.document_upload',
        recordType: 'protocol',
        recordId: params.protocolId,
        programmeId: params.programmeId,
        details: { name, size: bytes.length, sha256 },
      });
      return protocolIn(tx, params.programmeId, params.protocolId);
    });
  },
});

/** `attachment` with an ASCII name and the UTF-8 one (RFC 6266). */
function attachment(name: string): string {
  const ascii = name.replace(/[^\x20-\x7e]/g, '_').replace(/["\\]/g, '_');
  return `attachment; filename="${ascii}"; filename*=UTF-8''${encodeURIComponent(name)}`;
}

const downloadDocument = defineRoute({
  method: 'GET',
  url: '/programmes/:programmeId/protocols/:protocolId/document',
  access: { permission: 'protocols.read', programmeParam: 'programmeId' },
  summary: 'The signed protocol, as uploaded (PDF)',
  tags: ['protocols'],
  params: protocolParams,
  handler: async ({ params, ctx, reply }) => {
    const r = await ctx.read((db) =>
      db
        .selectFrom('protocols')
        .select(['document', 'document_name'])
        .where('id', '=', params.protocolId)
        .where('programme_id', '=', params.programmeId)
        .executeTakeFirst(),
    );
    if (!r?.document) throw problems.notFound();
    return reply
      .header('content-type', 'application/pdf')
      .header('content-disposition', attachment(r.document_name ?? 'protocol.pdf'))
      .header('x-content-type-options', 'nosniff')
      .header('content-length', String(r.document.length))
      .send(Buffer.from(r.document));
  },
});

export const protocolRoutes = [listProtocols, createProtocol, getProtocol, updateProtocol, revokeProtocol, uploadDocument, downloadDocument];
