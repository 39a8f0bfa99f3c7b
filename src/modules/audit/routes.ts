import { sql } from 'kysely';
import { z } from 'zod';
import { verifyAudit } from '../../kernel/audit/audit.ts';
import { defineRoute, paged } from '../../kernel/http/route.ts';

const eventSchema = z.object({
  seq: z.number().int(),
  at: z.string(),
  actorUserId: z.string().nullable(),
  actorName: z.string().nullable(),
  actorOrganisationId: z.string().nullable(),
  actorRole: z.string().nullable(),
  action: z.string(),
  recordType: z.string().nullable(),
  recordId: z.string().nullable(),
  programmeId: z.string().nullable(),
  outcome: z.enum(['success', 'failure', 'denied']),
  requestId: z.string().nullable(),
  purpose: z.string().nullable(),
  ip: z.string().nullable(),
  details: z.record(z.string(), z.unknown()),
});

const list = defineRoute({
  method: 'GET',
  url: '/audit',
  access: { permission: 'audit.read' },
  summary: 'Browse the audit trail, newest first, with filters; browsing is itself audited',
  tags: ['audit'],
  query: z.strictObject({
    page: z.coerce.number().int().min(1).max(100_000).default(1),
    pageSize: z.coerce.number().int().min(1).max(200).default(50),
    from: z.iso.date().optional(),
    to: z.iso.date().optional(),
    actorUserId: z.uuid().optional(),
    action: z
      .string()
      .max(100)
      .regex(/^[a-z_.]+$/)
      .optional(),
    recordType: z.string().max(50).optional(),
    recordId: z.string().max(100).optional(),
    outcome: z.enum(['success', 'failure', 'denied']).optional(),
  }),
  response: paged(eventSchema),
  handler: async ({ query, ctx }) => {
    const rows = await ctx.read((db) => {
      let q = db
        .selectFrom('audit_events as a')
        .leftJoin('users as u', 'u.id', 'a.actor_user_id')
        .selectAll('a')
        .select(['u.display_name as actor_name', sql<number>`count(*) OVER ()`.as('total')]);
      // Dates are Brussels calendar days.
      if (query.from) q = q.where('a.at', '>=', sql<Date>`(${query.from}::date)::timestamp AT TIME ZONE 'Europe/Brussels'`);
      if (query.to) q = q.where('a.at', '<', sql<Date>`((${query.to}::date + 1)::timestamp) AT TIME ZONE 'Europe/Brussels'`);
      if (query.actorUserId) q = q.where('a.actor_user_id', '=', query.actorUserId);
      if (query.action) q = q.where('a.action', 'like', `${query.action}%`);
      if (query.recordType) q = q.where('a.record_type', '=', query.recordType);
      if (query.recordId) q = q.where('a.record_id', '=', query.recordId);
      if (query.outcome) q = q.where('a.outcome', '=', query.outcome);
      return q
        .orderBy('a.seq', 'desc')
        .limit(query.pageSize)
        .offset((query.page - 1) * query.pageSize)
        .execute();
    });
    const { page, pageSize, ...filters } = query;
    await ctx.audit({ action: 'audit.viewed', details: { filters, page } });
    return {
      items: rows.map((r) => ({
        seq: r.seq,
        at: new Date(r.at).toISOString(),
        actorUserId: r.actor_user_id,
        actorName: r.actor_name,
        actorOrganisationId: r.actor_organisation_id,
        actorRole: r.actor_role,
        action: r.action,
        recordType: r.record_type,
        recordId: r.record_id,
        programmeId: r.programme_id,
        outcome: r.outcome,
        requestId: r.request_id,
        purpose: r.purpose,
        ip: r.ip,
        details: r.details,
      })),
      total: Number(rows[0]?.total ?? 0),
      page,
      pageSize,
    };
  },
});

const verify = defineRoute({
  method: 'GET',
  url: '/audit/verify',
  access: { permission: 'audit.read' },
  summary: 'Check the hash chain of the whole trail and name the first broken row',
  tags: ['audit'],
  response: z.object({
    ok: z.boolean(),
    checked: z.number().int(),
    lastSeq: z.number().int(),
    lastHash: z.string(),
    broken: z.object({ seq: z.number().int(), reason: z.string() }).optional(),
  }),
  handler: async ({ ctx }) => {
    const result = await ctx.read((db) => verifyAudit(db));
    await ctx.audit({ action: 'audit.verified', outcome: result.ok ? 'success' : 'failure', details: { checked: result.checked, broken: result.broken } });
    return result;
  },
});

export const auditRoutes = [list, verify];
