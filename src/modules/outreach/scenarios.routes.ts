/**
 * Scenario routes: what a caller reads from (the programme's current scenario), and for the
 * coordinator (scenarios.manage) its versions: a draft, edited until published; published versions
 * never change. Registered through `conversationRoutes`.
 */
import { z } from 'zod';
import { problems } from '../../kernel/http/problem.ts';
import { defineRoute } from '../../kernel/http/route.ts';
import {
  createDraft,
  currentScenario,
  ensureDefaultScenario,
  publishDraft,
  type ScenarioRow,
  scenarioById,
  scenarioDefinition,
  scenarioVersions,
  updateDraft,
} from './scenarios.ts';

const programmeParams = z.strictObject({ programmeId: z.uuid() });
const scenarioParams = z.strictObject({ programmeId: z.uuid(), scenarioId: z.uuid() });

const versionSchema = z.object({
  id: z.string(),
  key: z.string(),
  version: z.number().int(),
  status: z.enum(['draft', 'published', 'retired']),
  /** True for the scenario shipped with Haven (shared by every programme, read-only). */
  isDefault: z.boolean(),
  createdAt: z.string(),
  publishedAt: z.string().nullable(),
});
/** A version with its definition (sections, questions, wording in nl/fr/en). */
const scenarioSchema = versionSchema.extend({ definition: scenarioDefinition });

const toVersion = (r: ScenarioRow) => ({
  id: r.id,
  key: r.key,
  version: r.version,
  status: r.status,
  isDefault: r.programme_id === null,
  createdAt: r.created_at.toISOString(),
  publishedAt: r.published_at ? r.published_at.toISOString() : null,
});
const toScenario = (r: ScenarioRow) => ({ ...toVersion(r), definition: r.definition });

const listScenarios = defineRoute({
  method: 'GET',
  url: '/programmes/:programmeId/scenarios',
  access: { permission: 'outreach.work', programmeParam: 'programmeId' },
  summary:
    'The scenario new conversations of the programme use (its own published version, else the default); with scenarios.manage also every version (drafts, published, retired, the defaults)',
  tags: ['outreach'],
  params: programmeParams,
  response: z.object({ current: scenarioSchema, versions: z.array(versionSchema).optional() }),
  handler: async ({ params, ctx }) => {
    await ctx.read(ensureDefaultScenario);
    const manages = ctx.allows('scenarios.manage', params.programmeId);
    const [current, versions] = await ctx.read((db) =>
      Promise.all([currentScenario(db, params.programmeId), manages ? scenarioVersions(db, params.programmeId) : Promise.resolve(undefined)]),
    );
    return { current: toScenario(current), ...(versions ? { versions: versions.map(toVersion) } : {}) };
  },
});

const getScenario = defineRoute({
  method: 'GET',
  url: '/programmes/:programmeId/scenarios/:scenarioId',
  access: { permission: 'outreach.work', programmeParam: 'programmeId' },
  summary: 'One scenario version (e.g. the one a past conversation used); drafts only with scenarios.manage',
  tags: ['outreach'],
  params: scenarioParams,
  response: scenarioSchema,
  handler: async ({ params, ctx }) => {
    const row = await ctx.read((db) => scenarioById(db, params.programmeId, params.scenarioId));
    if (!row || (row.status === 'draft' && !ctx.allows('scenarios.manage', params.programmeId))) throw problems.notFound();
    return toScenario(row);
  },
});

const createScenario = defineRoute({
  method: 'POST',
  url: '/programmes/:programmeId/scenarios',
  access: { permission: 'scenarios.manage', programmeParam: 'programmeId' },
  summary:
    'Start a new draft version of the programme’s scenario: a copy of the one in use, or the definition given (at most one draft: 409 scenario_draft_exists)',
  tags: ['outreach'],
  params: programmeParams,
  body: z.strictObject({ definition: scenarioDefinition.optional() }).optional(),
  response: scenarioSchema,
  status: 201,
  handler: async ({ params, body, ctx }) => {
    await ctx.read(ensureDefaultScenario);
    const id = await ctx.write(async (tx, audit) => {
      const created = await createDraft(tx, { programmeId: params.programmeId, definition: body?.definition, userId: ctx.user.userId });
      audit({ action: 'scenario.draft', recordType: 'scenario', recordId: created, programmeId: params.programmeId, details: { copied: !body?.definition } });
      return created;
    });
    return toScenario((await ctx.read((db) => scenarioById(db, params.programmeId, id))) as ScenarioRow);
  },
});

const editScenario = defineRoute({
  method: 'PUT',
  url: '/programmes/:programmeId/scenarios/:scenarioId',
  access: { permission: 'scenarios.manage', programmeParam: 'programmeId' },
  summary: 'Replace the definition of a draft (409 scenario_not_draft on a published or retired version, or the default)',
  tags: ['outreach'],
  params: scenarioParams,
  body: z.strictObject({ definition: scenarioDefinition }),
  response: scenarioSchema,
  handler: async ({ params, body, ctx }) => {
    await ctx.write(async (tx, audit) => {
      const version = await updateDraft(tx, { programmeId: params.programmeId, id: params.scenarioId, definition: body.definition });
      audit({ action: 'scenario.edit', recordType: 'scenario', recordId: params.scenarioId, programmeId: params.programmeId, details: { version } });
    });
    return toScenario((await ctx.read((db) => scenarioById(db, params.programmeId, params.scenarioId))) as ScenarioRow);
  },
});

const publishScenario = defineRoute({
  method: 'POST',
  url: '/programmes/:programmeId/scenarios/:scenarioId/publish',
  access: { permission: 'scenarios.manage', programmeParam: 'programmeId' },
  summary: 'Publish a draft: new conversations use it from now on; the version published before is retired. Conversations keep their version.',
  tags: ['outreach'],
  params: scenarioParams,
  response: scenarioSchema,
  handler: async ({ params, ctx }) => {
    await ctx.write(async (tx, audit) => {
      const { version, retired } = await publishDraft(tx, { programmeId: params.programmeId, id: params.scenarioId });
      audit({
        action: 'scenario.publish',
        recordType: 'scenario',
        recordId: params.scenarioId,
        programmeId: params.programmeId,
        details: { version, retired },
      });
    });
    return toScenario((await ctx.read((db) => scenarioById(db, params.programmeId, params.scenarioId))) as ScenarioRow);
  },
});

export const scenarioRoutes = [listScenarios, getScenario, createScenario, editScenario, publishScenario];
