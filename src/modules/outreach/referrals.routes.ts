/**
 * Referrals of a contact to services of the directory, and follow-up calls: what a caller records
 * with the person on the line (outreach.work). The contact must be one the caller may work
 * (access.ts: assigned, claimed, or any for a coordinator); anything else is 404.
 *
 *   GET    /api/programmes/:programmeId/contacts/:contactId/referrals                → { items: referral[] }
 *   POST   /api/programmes/:programmeId/contacts/:contactId/referrals                → 201 referral
 *          { serviceId, conversationId?, status?: proposed|accepted, followUpAt? }   (409 not_reached)
 *   PATCH  /api/programmes/:programmeId/contacts/:contactId/referrals/:referralId    → referral
 *          { status }   proposed → accepted → taken_up, or → declined               (409 referral_wrong_status)
 *   POST   /api/programmes/:programmeId/contacts/:contactId/follow-up { at }         → { contactId, followUpAt, nextDueAt }
 *   DELETE /api/programmes/:programmeId/contacts/:contactId/follow-up                → { contactId, followUpAt: null, nextDueAt }
 */
import { z } from 'zod';
import { type AnyRoute, defineRoute } from '../../kernel/http/route.ts';
import { openWorkableContact, workableContact } from './access.ts';
import { REFERRAL_STATUSES, SERVICE_KINDS } from './schema.ts';
import { checkFollowUpMoment, clearFollowUp, createReferral, listReferrals, moveReferral, scheduleFollowUp } from './services.ts';

const contactParams = z.strictObject({ programmeId: z.uuid(), contactId: z.uuid() });
const referralParams = z.strictObject({ programmeId: z.uuid(), contactId: z.uuid(), referralId: z.uuid() });
const moment = z.iso.datetime({ offset: true });

export const referralSchema = z.object({
  id: z.string(),
  contactId: z.string(),
  conversationId: z.string().nullable(),
  serviceId: z.string(),
  serviceName: z.string(),
  serviceActive: z.boolean(),
  serviceKind: z.enum(SERVICE_KINDS).describe('the kind of the service when it was proposed'),
  status: z.enum(REFERRAL_STATUSES),
  proposedAt: z.string(),
  acceptedAt: z.string().nullable(),
  takenUpAt: z.string().nullable(),
  declinedAt: z.string().nullable(),
  createdBy: z.string().nullable(),
  updatedAt: z.string(),
});

const followUpSchema = z.object({ contactId: z.string(), followUpAt: z.string().nullable(), nextDueAt: z.string().nullable() });

const list = defineRoute({
  method: 'GET',
  url: '/programmes/:programmeId/contacts/:contactId/referrals',
  access: { permission: 'outreach.work', programmeParam: 'programmeId' },
  summary: 'The referrals of a contact to services, oldest first',
  tags: ['outreach'],
  params: contactParams,
  response: z.object({ items: z.array(referralSchema) }),
  handler: async ({ params, ctx }) => {
    const items = await ctx.read(async (db) => {
      await workableContact(ctx, db, params.programmeId, params.contactId);
      return listReferrals(db, params.programmeId, params.contactId);
    });
    return { items };
  },
});

const create = defineRoute({
  method: 'POST',
  url: '/programmes/:programmeId/contacts/:contactId/referrals',
  access: { permission: 'outreach.work', programmeParam: 'programmeId' },
  summary: 'Refer a reached contact to an active service (proposed, or accepted at once); optionally schedule the follow-up call',
  tags: ['outreach'],
  params: contactParams,
  body: z.strictObject({
    serviceId: z.uuid(),
    conversationId: z.uuid().optional(),
    status: z.enum(['proposed', 'accepted']).default('proposed'),
    followUpAt: moment.optional(),
  }),
  response: referralSchema,
  status: 201,
  handler: async ({ params, body, ctx }) => {
    const followUpAt = body.followUpAt ? new Date(body.followUpAt) : undefined;
    if (followUpAt) checkFollowUpMoment(followUpAt, new Date(), 'followUpAt');
    return ctx.write(async (tx, audit) => {
      await workableContact(ctx, tx, params.programmeId, params.contactId, { forUpdate: true });
      return createReferral(tx, audit, {
        programmeId: params.programmeId,
        contactId: params.contactId,
        serviceId: body.serviceId,
        conversationId: body.conversationId,
        status: body.status,
        followUpAt,
        createdBy: ctx.user.userId,
      });
    });
  },
});

const move = defineRoute({
  method: 'PATCH',
  url: '/programmes/:programmeId/contacts/:contactId/referrals/:referralId',
  access: { permission: 'outreach.work', programmeParam: 'programmeId' },
  summary: 'Move a referral: proposed → accepted → taken_up, or → declined from proposed or accepted',
  tags: ['outreach'],
  params: referralParams,
  body: z.strictObject({ status: z.enum(REFERRAL_STATUSES) }),
  response: referralSchema,
  handler: async ({ params, body, ctx }) =>
    ctx.write(async (tx, audit) => {
      await workableContact(ctx, tx, params.programmeId, params.contactId, { forUpdate: true });
      return moveReferral(tx, audit, { ...params, status: body.status });
    }),
});

const scheduleFollowUpRoute = defineRoute({
  method: 'POST',
  url: '/programmes/:programmeId/contacts/:contactId/follow-up',
  access: { permission: 'outreach.work', programmeParam: 'programmeId' },
  summary: 'Schedule a follow-up call (in the future, within a year): the open contact returns to the worklist when it is due',
  tags: ['outreach'],
  params: contactParams,
  body: z.strictObject({ at: moment }),
  response: followUpSchema,
  handler: async ({ params, body, ctx }) => {
    const at = new Date(body.at);
    checkFollowUpMoment(at, new Date());
    return ctx.write(async (tx, audit) => {
      await openWorkableContact(ctx, tx, params.programmeId, params.contactId);
      return scheduleFollowUp(tx, audit, { programmeId: params.programmeId, contactId: params.contactId, at });
    });
  },
});

const clearFollowUpRoute = defineRoute({
  method: 'DELETE',
  url: '/programmes/:programmeId/contacts/:contactId/follow-up',
  access: { permission: 'outreach.work', programmeParam: 'programmeId' },
  summary: 'Cancel the pending follow-up call of an open contact',
  tags: ['outreach'],
  params: contactParams,
  response: followUpSchema,
  handler: async ({ params, ctx }) =>
    ctx.write(async (tx, audit) => {
      await openWorkableContact(ctx, tx, params.programmeId, params.contactId);
      return clearFollowUp(tx, audit, { programmeId: params.programmeId, contactId: params.contactId });
    }),
});

export const referralRoutes: AnyRoute[] = [list, create, move, scheduleFollowUpRoute, clearFollowUpRoute];
