/**
 * Conversation scenarios: the guide a caller reads from during the "How are you?" conversation.
 *
 * A scenario is a definition (sections of questions, their wording in nl/fr/en, the answer type,
 * whether an answer is counted in reports, and which answers raise an escalation), validated by
 * `scenarioDefinition` whenever it is saved. Versions form one chain per programme: at most one
 * draft, one published version, the retired ones before it. A published version never changes:
 * editing means a new draft, which becomes the next version when published. A programme without a
 * published scenario of its own uses the default shipped with Haven (programme_id NULL, inserted
 * idempotently by `ensureDefaultScenario`). Each conversation keeps the version it used.
 */
import { sql } from 'kysely';
import { z } from 'zod';
import type { Db } from '../../kernel/db/database.ts';
import type { Tx } from '../../kernel/http/context.ts';
import { type FieldError, problems } from '../../kernel/http/problem.ts';
import { DEFAULT_SCENARIO, DEFAULT_SCENARIO_KEY, DEFAULT_SCENARIO_VERSION } from './default-scenario.ts';
import type { EscalationReason } from './schema.ts';

export const QUESTION_TYPES = ['yes_no', 'scale', 'choice', 'text'] as const;
export type QuestionType = (typeof QUESTION_TYPES)[number];

/** The reasons a marked answer can give (the caller's own judgment is raised by hand). */
export const MARKED_REASONS = ['threats', 'strangulation', 'weapons', 'fear_for_life', 'children_in_danger'] as const satisfies readonly EscalationReason[];

/** A scale answer: 1 (worst) to 5 (best). */
export const SCALE_MIN = 1;
export const SCALE_MAX = 5;

/** Stable identifiers of sections, questions and choices: answers are stored under them. */
const slug = z.string().regex(/^[a-z0-9][a-z0-9-]{0,59}$/);

/** Wording in the three languages a caller may speak (German optional). */
const localised = (max: number) =>
  z.strictObject({
    nl: z.string().trim().min(1).max(max),
    fr: z.string().trim().min(1).max(max),
    en: z.string().trim().min(1).max(max),
    de: z.string().trim().min(1).max(max).optional(),
  });

const choiceSchema = z.strictObject({ key: slug, label: localised(200) });

const questionSchema = z.strictObject({
  id: slug,
  text: localised(600),
  help: localised(1200).optional(),
  type: z.enum(QUESTION_TYPES),
  choices: z.array(choiceSchema).min(2).max(20).optional(),
  /** Counted answers are the pseudonymous facts reports count; free text never is. */
  counted: z.boolean(),
  /** Answer values that raise an escalation: booleans (yes_no), 1–5 (scale) or choice keys. */
  escalatesOn: z
    .array(z.union([z.boolean(), z.number(), z.string()]))
    .min(1)
    .max(20)
    .optional(),
  escalationReason: z.enum(MARKED_REASONS).optional(),
});

const sectionSchema = z.strictObject({
  id: slug,
  title: localised(200),
  questions: z.array(questionSchema).min(1).max(50),
});

/** The rules that cross fields, each refused at the path of the field to correct. */
function checkDefinition(def: { sections: z.infer<typeof sectionSchema>[] }, ctx: z.RefinementCtx) {
  const sectionIds = new Set<string>();
  const questionIds = new Set<string>();
  def.sections.forEach((section, s) => {
    if (sectionIds.has(section.id)) ctx.addIssue({ code: 'custom', message: 'scenario_id_duplicate', path: ['sections', s, 'id'] });
    sectionIds.add(section.id);
    section.questions.forEach((q, i) => {
      const at = ['sections', s, 'questions', i];
      if (questionIds.has(q.id)) ctx.addIssue({ code: 'custom', message: 'scenario_id_duplicate', path: [...at, 'id'] });
      questionIds.add(q.id);
      if (q.type === 'text' && q.counted) ctx.addIssue({ code: 'custom', message: 'scenario_text_counted', path: [...at, 'counted'] });
      if (q.type === 'choice' && !q.choices) ctx.addIssue({ code: 'custom', message: 'scenario_choices_required', path: [...at, 'choices'] });
      if (q.type !== 'choice' && q.choices) ctx.addIssue({ code: 'custom', message: 'scenario_choices_not_allowed', path: [...at, 'choices'] });
      const keys = new Set<string>();
      q.choices?.forEach((c, k) => {
        if (keys.has(c.key)) ctx.addIssue({ code: 'custom', message: 'scenario_id_duplicate', path: [...at, 'choices', k, 'key'] });
        keys.add(c.key);
      });
      if (q.escalatesOn) {
        if (q.type === 'text') ctx.addIssue({ code: 'custom', message: 'scenario_text_escalates', path: [...at, 'escalatesOn'] });
        else
          q.escalatesOn.forEach((v, k) => {
            if (!answerFits(q.type, keys, v)) ctx.addIssue({ code: 'custom', message: 'scenario_escalation_value', path: [...at, 'escalatesOn', k] });
          });
        if (!q.escalationReason) ctx.addIssue({ code: 'custom', message: 'scenario_reason_required', path: [...at, 'escalationReason'] });
      } else if (q.escalationReason) {
        ctx.addIssue({ code: 'custom', message: 'scenario_reason_without_answers', path: [...at, 'escalatesOn'] });
      }
    });
  });
}

/** A scenario definition, as saved and as read back. */
export const scenarioDefinition = z
  .strictObject({
    title: localised(200),
    sections: z.array(sectionSchema).min(1).max(30),
  })
  .superRefine(checkDefinition);
export type ScenarioDefinition = z.infer<typeof scenarioDefinition>;
export type ScenarioQuestion = ScenarioDefinition['sections'][number]['questions'][number];

/** True when `value` is a possible answer to a question of this type (choices: their keys). */
function answerFits(type: QuestionType, choiceKeys: ReadonlySet<string>, value: unknown): boolean {
  switch (type) {
    case 'yes_no':
      return typeof value === 'boolean';
    case 'scale':
      return typeof value === 'number' && Number.isInteger(value) && value >= SCALE_MIN && value <= SCALE_MAX;
    case 'choice':
      return typeof value === 'string' && choiceKeys.has(value);
    case 'text':
      return typeof value === 'string';
  }
}

/** Every question of a definition by id. */
export function questionsOf(def: ScenarioDefinition): Map<string, ScenarioQuestion> {
  return new Map(def.sections.flatMap((s) => s.questions.map((q) => [q.id, q] as const)));
}

export const TEXT_ANSWER_MAX = 4000;

/** The field error of an answer that does not fit its question's type. */
const ANSWER_ERRORS: Record<QuestionType, [string, string]> = {
  yes_no: ['answer_yes_no', 'errors:field.answer_yes_no'],
  scale: ['answer_scale', 'errors:field.answer_scale'],
  choice: ['answer_choice', 'errors:field.answer_choice'],
  text: ['answer_text', 'errors:field.answer_text'],
};

/**
 * Checks a batch of answers against the scenario version: the question exists, the value fits
 * its type (a choice key of the question, 1–5, a boolean, a text of at most 4000 characters);
 * `null` clears an answer. Refused answers come back with their path, `answers.<questionId>`.
 */
export function checkAnswers(
  def: ScenarioDefinition,
  answers: Record<string, unknown>,
): { structured: Record<string, boolean | number | string | null>; text: Record<string, string | null> } {
  const questions = questionsOf(def);
  const errors: FieldError[] = [];
  const structured: Record<string, boolean | number | string | null> = {};
  const text: Record<string, string | null> = {};
  for (const [id, value] of Object.entries(answers)) {
    const q = questions.get(id);
    const field = `answers.${id}`;
    if (!q) {
      errors.push({ field, code: 'question_unknown', key: 'errors:field.question_unknown' });
      continue;
    }
    if (value === null) {
      if (q.type === 'text') text[id] = null;
      else structured[id] = null;
      continue;
    }
    if (!answerFits(q.type, new Set(q.choices?.map((c) => c.key)), value)) {
      const [code, key] = ANSWER_ERRORS[q.type];
      errors.push({ field, code, key, params: { min: SCALE_MIN, max: SCALE_MAX } });
      continue;
    }
    if (q.type === 'text') {
      const t = (value as string).trim();
      if (t.length > TEXT_ANSWER_MAX) {
        errors.push({ field, code: 'too_big', key: 'errors:field.too_big_string', params: { limit: TEXT_ANSWER_MAX } });
        continue;
      }
      text[id] = t === '' ? null : t;
    } else {
      structured[id] = value as boolean | number | string;
    }
  }
  if (errors.length) throw problems.validation(errors);
  return { structured, text };
}

/** The marked questions these answers match, with the reason each gives. */
export function escalationsIn(def: ScenarioDefinition, answers: Record<string, unknown>): { questionId: string; reason: EscalationReason }[] {
  const out: { questionId: string; reason: EscalationReason }[] = [];
  for (const [id, q] of questionsOf(def)) {
    if (!q.escalatesOn || !q.escalationReason || !(id in answers)) continue;
    const v = answers[id];
    if (v !== null && q.escalatesOn.some((e) => e === v)) out.push({ questionId: id, reason: q.escalationReason });
  }
  return out;
}

// ---- Storage ------------------------------------------------------------------------------

export type ScenarioStatus = 'draft' | 'published' | 'retired';

export interface ScenarioRow {
  id: string;
  programme_id: string | null;
  key: string;
  version: number;
  status: ScenarioStatus;
  definition: ScenarioDefinition;
  created_at: Date;
  created_by: string | null;
  published_at: Date | null;
}

/** The key of a programme's own chain of versions (one chain per programme). */
export const PROGRAMME_SCENARIO_KEY = DEFAULT_SCENARIO_KEY;

const ensured = new WeakSet<object>();

/**
 * Makes sure the default scenario shipped with this Haven is stored and published. Safe with
 * several processes at once: the insert does nothing when the unique version index already holds
 * it. A newer shipped version retires the older ones.
 */
export async function ensureDefaultScenario(db: Db): Promise<void> {
  if (ensured.has(db)) return;
  await storeDefaultScenario(db);
  ensured.add(db);
}

/** The store itself, without the process's memory of having done it (what two processes do at once). */
export async function storeDefaultScenario(db: Db): Promise<void> {
  const parsed = scenarioDefinition.parse(DEFAULT_SCENARIO);
  await db
    .insertInto('scenarios')
    .values({
      programme_id: null,
      key: DEFAULT_SCENARIO_KEY,
      version: DEFAULT_SCENARIO_VERSION,
      status: 'published',
      definition: JSON.stringify(parsed),
      created_by: null,
      published_at: sql`now()`,
    })
    .onConflict((oc) => oc.doNothing())
    .execute();
  await db
    .updateTable('scenarios')
    .set({ status: 'retired' })
    .where('programme_id', 'is', null)
    .where('key', '=', DEFAULT_SCENARIO_KEY)
    .where('version', '<', DEFAULT_SCENARIO_VERSION)
    .where('status', '=', 'published')
    .execute();
}

const columns = ['id', 'programme_id', 'key', 'version', 'status', 'definition', 'created_at', 'created_by', 'published_at'] as const;

/** The scenario a programme's new conversations use: its own published version, else the default. */
export async function currentScenario(db: Db | Tx, programmeId: string): Promise<ScenarioRow> {
  const row = await db
    .selectFrom('scenarios')
    .select(columns)
    .where('status', '=', 'published')
    .where((eb) => eb.or([eb('programme_id', '=', programmeId), eb.and([eb('programme_id', 'is', null), eb('key', '=', DEFAULT_SCENARIO_KEY)])]))
    // The programme's own first, then the newest default.
    .orderBy(sql`programme_id IS NULL`)
    .orderBy('version', 'desc')
    .limit(1)
    .executeTakeFirst();
  if (!row) throw new Error('no published scenario: ensureDefaultScenario was not called');
  return row as unknown as ScenarioRow;
}

/** One version, if it belongs to the programme's chain or is a default. */
export async function scenarioById(db: Db | Tx, programmeId: string, id: string): Promise<ScenarioRow | undefined> {
  const row = await db
    .selectFrom('scenarios')
    .select(columns)
    .where('id', '=', id)
    .where((eb) => eb.or([eb('programme_id', '=', programmeId), eb('programme_id', 'is', null)]))
    .executeTakeFirst();
  return row as unknown as ScenarioRow | undefined;
}

/** Every version of the programme's own chain, newest first (and the defaults, after them). */
export async function scenarioVersions(db: Db, programmeId: string): Promise<ScenarioRow[]> {
  const rows = await db
    .selectFrom('scenarios')
    .select(columns)
    .where((eb) => eb.or([eb('programme_id', '=', programmeId), eb('programme_id', 'is', null)]))
    .orderBy(sql`programme_id IS NULL`)
    .orderBy('version', 'desc')
    .execute();
  return rows as unknown as ScenarioRow[];
}

/** Scenario changes of one programme take turns: the programme row is the lock. */
async function lockProgramme(tx: Tx, programmeId: string): Promise<void> {
  await tx.selectFrom('programmes').select('id').where('id', '=', programmeId).forUpdate().executeTakeFirstOrThrow();
}

async function draftOf(tx: Tx, programmeId: string) {
  return tx.selectFrom('scenarios').select(['id', 'version']).where('programme_id', '=', programmeId).where('status', '=', 'draft').executeTakeFirst();
}

/**
 * A new draft for the programme: a copy of the definition in use, or the one given. At most one
 * draft at a time (409 `scenario_draft_exists`): its number is the next version.
 */
export async function createDraft(tx: Tx, q: { programmeId: string; definition?: ScenarioDefinition; userId: string }): Promise<string> {
  await lockProgramme(tx, q.programmeId);
  if (await draftOf(tx, q.programmeId)) throw problems.conflict('scenario_draft_exists');
  const definition = q.definition ?? (await currentScenario(tx, q.programmeId)).definition;
  const last = await tx
    .selectFrom('scenarios')
    .select(sql<number>`coalesce(max(version), 0)::int`.as('v'))
    .where('programme_id', '=', q.programmeId)
    .where('key', '=', PROGRAMME_SCENARIO_KEY)
    .executeTakeFirstOrThrow();
  const row = await tx
    .insertInto('scenarios')
    .values({
      programme_id: q.programmeId,
      key: PROGRAMME_SCENARIO_KEY,
      version: Number(last.v) + 1,
      status: 'draft',
      definition: JSON.stringify(definition),
      created_by: q.userId,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  return row.id;
}

/** The programme's draft, for a change: 404 if it is not the programme's, 409 unless a draft. */
async function ownVersion(tx: Tx, programmeId: string, id: string) {
  const row = await tx
    .selectFrom('scenarios')
    .select(['id', 'status', 'version'])
    .where('id', '=', id)
    .where('programme_id', '=', programmeId)
    .forUpdate()
    .executeTakeFirst();
  if (!row) {
    // A default scenario is read-only for everyone: copy it into a draft instead.
    const shared = await tx.selectFrom('scenarios').select('id').where('id', '=', id).where('programme_id', 'is', null).executeTakeFirst();
    if (shared) throw problems.conflict('scenario_not_draft');
    throw problems.notFound();
  }
  if (row.status !== 'draft') throw problems.conflict('scenario_not_draft');
  return row;
}

export async function updateDraft(tx: Tx, q: { programmeId: string; id: string; definition: ScenarioDefinition }): Promise<number> {
  await lockProgramme(tx, q.programmeId);
  const row = await ownVersion(tx, q.programmeId, q.id);
  await tx
    .updateTable('scenarios')
    .set({ definition: JSON.stringify(q.definition) })
    .where('id', '=', q.id)
    .execute();
  return row.version;
}

/** The draft becomes the programme's published version; the one before it is retired. */
export async function publishDraft(tx: Tx, q: { programmeId: string; id: string }): Promise<{ version: number; retired: string | null }> {
  await lockProgramme(tx, q.programmeId);
  const row = await ownVersion(tx, q.programmeId, q.id);
  const previous = await tx
    .updateTable('scenarios')
    .set({ status: 'retired' })
    .where('programme_id', '=', q.programmeId)
    .where('status', '=', 'published')
    .returning('id')
    .executeTakeFirst();
  await tx.updateTable('scenarios').set({ status: 'published', published_at: sql`now()` }).where('id', '=', q.id).execute();
  return { version: row.version, retired: previous?.id ?? null };
}
