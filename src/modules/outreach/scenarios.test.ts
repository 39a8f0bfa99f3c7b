/**
 * Scenarios: the definition's rules (refused with the path of the field to correct), the default
 * shipped with Haven, and versions through the API (one draft, published versions never change,
 * the previous published one retired, a caller never sees a draft).
 */
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Session, TestServer } from '../../testing/server.ts';
import { testServer } from '../../testing/server.ts';
import { DEFAULT_SCENARIO, DEFAULT_SCENARIO_KEY } from './default-scenario.ts';
import {
  checkAnswers,
  ensureDefaultScenario,
  escalationsIn,
  questionsOf,
  type ScenarioDefinition,
  scenarioDefinition,
  storeDefaultScenario,
} from './scenarios.ts';

const clone = (): ScenarioDefinition => structuredClone(scenarioDefinition.parse(DEFAULT_SCENARIO));
const t = (s: string) => ({ nl: s, fr: s, en: s });

function errorsOf(def: unknown) {
  const r = scenarioDefinition.safeParse(def);
  expect(r.success).toBe(false);
  return r.success ? [] : r.error.issues.map((i) => ({ path: i.path.join('.'), message: i.message }));
}

describe('the default scenario', () => {
  const def = scenarioDefinition.parse(DEFAULT_SCENARIO);

  it('is a valid definition that opens with "How are you?" in nl, fr and en', () => {
    const first = def.sections[0]?.questions[0];
    expect(first?.text).toMatchObject({ nl: 'Hoe gaat het met u?', fr: 'Comment allez-vous ?', en: 'How are you?' });
    expect(def.sections.map((s) => s.id)).toEqual(['wellbeing', 'since', 'safety', 'children', 'help', 'referral']);
  });

  it('marks threats, strangulation, weapons, fear for one’s life and children in danger, each escalating on "yes"', () => {
    const marked = [...questionsOf(def).values()].filter((q) => q.escalatesOn);
    expect(marked.map((q) => q.escalationReason).sort()).toEqual(['children_in_danger', 'fear_for_life', 'strangulation', 'threats', 'weapons']);
    for (const q of marked) expect(q).toMatchObject({ type: 'yes_no', escalatesOn: [true], counted: true });
  });

  it('never counts free text, and counts every structured answer', () => {
    for (const q of questionsOf(def).values()) expect(q.counted).toBe(q.type !== 'text');
  });
});

describe('a definition', () => {
  it('is refused with the path of each duplicated id (section, question across sections, choice key)', () => {
    const def = clone();
    const [a, b] = def.sections as [ScenarioDefinition['sections'][number], ScenarioDefinition['sections'][number]];
    b.id = a.id;
    (b.questions[0] as { id: string }).id = a.questions[0]?.id as string;
    const choice = def.sections[1]?.questions.find((q) => q.type === 'choice');
    (choice?.choices?.[1] as { key: string }).key = choice?.choices?.[0]?.key as string;
    expect(errorsOf(def)).toEqual([
      { path: 'sections.1.id', message: 'scenario_id_duplicate' },
      { path: 'sections.1.questions.0.id', message: 'scenario_id_duplicate' },
      { path: 'sections.1.questions.0.choices.1.key', message: 'scenario_id_duplicate' },
    ]);
  });

  it('refuses a counted free-text question, a choice question without choices, choices on another type', () => {
    const def = {
      title: t('Test'),
      sections: [
        {
          id: 's',
          title: t('S'),
          questions: [
            { id: 'a', text: t('A'), type: 'text', counted: true },
            { id: 'b', text: t('B'), type: 'choice', counted: true },
            {
              id: 'c',
              text: t('C'),
              type: 'scale',
              counted: true,
              choices: [
                { key: 'x', label: t('X') },
                { key: 'y', label: t('Y') },
              ],
            },
          ],
        },
      ],
    };
    expect(errorsOf(def)).toEqual([
      { path: 'sections.0.questions.0.counted', message: 'scenario_text_counted' },
      { path: 'sections.0.questions.1.choices', message: 'scenario_choices_required' },
      { path: 'sections.0.questions.2.choices', message: 'scenario_choices_not_allowed' },
    ]);
  });

  it('refuses escalation values the question cannot have, text that escalates, and a reason missing on either side', () => {
    const def = {
      title: t('Test'),
      sections: [
        {
          id: 's',
          title: t('S'),
          questions: [
            { id: 'yn', text: t('?'), type: 'yes_no', counted: true, escalatesOn: ['yes'], escalationReason: 'threats' },
            { id: 'sc', text: t('?'), type: 'scale', counted: true, escalatesOn: [1, 6], escalationReason: 'fear_for_life' },
            {
              id: 'ch',
              text: t('?'),
              type: 'choice',
              counted: true,
              choices: [
                { key: 'a', label: t('A') },
                { key: 'b', label: t('B') },
              ],
              escalatesOn: ['c'],
            },
            { id: 'tx', text: t('?'), type: 'text', counted: false, escalatesOn: ['help'], escalationReason: 'weapons' },
            { id: 'rs', text: t('?'), type: 'yes_no', counted: true, escalationReason: 'weapons' },
          ],
        },
      ],
    };
    expect(errorsOf(def)).toEqual([
      { path: 'sections.0.questions.0.escalatesOn.0', message: 'scenario_escalation_value' },
      { path: 'sections.0.questions.1.escalatesOn.1', message: 'scenario_escalation_value' },
      { path: 'sections.0.questions.2.escalatesOn.0', message: 'scenario_escalation_value' },
      { path: 'sections.0.questions.2.escalationReason', message: 'scenario_reason_required' },
      { path: 'sections.0.questions.3.escalatesOn', message: 'scenario_text_escalates' },
      { path: 'sections.0.questions.4.escalatesOn', message: 'scenario_reason_without_answers' },
    ]);
  });

  it('needs every wording in nl, fr and en, and ids that are slugs', () => {
    const def = clone() as unknown as { sections: { id: string; questions: { text: Record<string, string> }[] }[] };
    const text = def.sections[0]?.questions[0]?.text ?? {};
    delete text.fr;
    (def.sections[1] as { id: string }).id = 'Since The Police';
    const paths = errorsOf(def).map((e) => e.path);
    expect(paths).toEqual(expect.arrayContaining(['sections.0.questions.0.text.fr', 'sections.1.id']));
  });
});

describe('answers against a version', () => {
  const def = scenarioDefinition.parse(DEFAULT_SCENARIO);

  it('keeps structured answers apart from free text, and finds the marked ones', () => {
    const r = checkAnswers(def, { 'how-are-you': 3, threats: true, 'since-intervention': 'worse', 'since-notes': '  Hij belt elke avond.  ', weapons: null });
    expect(r.structured).toEqual({ 'how-are-you': 3, threats: true, 'since-intervention': 'worse', weapons: null });
    expect(r.text).toEqual({ 'since-notes': 'Hij belt elke avond.' });
    expect(escalationsIn(def, r.structured)).toEqual([{ questionId: 'threats', reason: 'threats' }]);
    expect(escalationsIn(def, { threats: false, strangulation: null })).toEqual([]);
  });
});

let s: TestServer;
let programmeId: string;
let coordinator: Session;
let caller: Session;
let otherCoordinator: Session;
const base = () => `/api/programmes/${programmeId}/scenarios`;

beforeAll(async () => {
  s = await testServer();
  programmeId = (await s.createProgramme()).programmeId;
  const other = (await s.createProgramme()).programmeId;
  coordinator = await s.signIn(await s.createUser([{ role: 'coordinator', programmeId }]));
  caller = await s.signIn(await s.createUser([{ role: 'caller', programmeId }]));
  otherCoordinator = await s.signIn(await s.createUser([{ role: 'coordinator', programmeId: other }]));
});
afterAll(() => s.close());

describe('storing the default', () => {
  it('is idempotent, also when two stores race', async () => {
    const db = s.database.db;
    // Each process has its own memory of having stored it: two fresh ones, at once.
    await Promise.all([storeDefaultScenario(db), storeDefaultScenario(db)]);
    await ensureDefaultScenario(db);
    const rows = await db
      .selectFrom('scenarios')
      .select(['version', 'status'])
      .where('programme_id', 'is', null)
      .where('key', '=', DEFAULT_SCENARIO_KEY)
      .execute();
    expect(rows).toEqual([{ version: 1, status: 'published' }]);
  });
});

describe('versions through the API', () => {
  let draftId: string;
  let v1: string;

  it('gives a caller the default until the programme publishes its own, and no version list', async () => {
    const r = await caller.request('GET', base());
    expect(r.statusCode, r.body).toBe(200);
    expect(r.json().current).toMatchObject({ key: 'how-are-you', version: 1, status: 'published', isDefault: true });
    expect(r.json().current.definition.sections[0].questions[0].text.nl).toBe('Hoe gaat het met u?');
    expect(r.json().versions).toBeUndefined();
  });

  it('refuses a bad definition with its field paths, and stores nothing', async () => {
    const def = clone();
    (def.sections[2]?.questions[0] as { id: string }).id = 'how-are-you';
    const r = await coordinator.request('POST', base(), { definition: def });
    expect(r.statusCode).toBe(400);
    expect(r.json().errors).toEqual([{ field: 'definition.sections.2.questions.0.id', code: 'scenario_id_duplicate', message: expect.any(String) }]);
    const n = await s.database.db
      .selectFrom('scenarios')
      .select(sql<number>`count(*)::int`.as('n'))
      .where('programme_id', '=', programmeId)
      .executeTakeFirstOrThrow();
    expect(Number(n.n)).toBe(0);
  });

  it('starts a draft as a copy of the scenario in use; one draft at a time', async () => {
    const r = await coordinator.request('POST', base());
    expect(r.statusCode, r.body).toBe(201);
    expect(r.json()).toMatchObject({ version: 1, status: 'draft', isDefault: false, publishedAt: null });
    expect(r.json().definition).toEqual(scenarioDefinition.parse(DEFAULT_SCENARIO));
    draftId = r.json().id;
    const again = await coordinator.request('POST', base());
    expect(again.statusCode).toBe(409);
    expect(again.json().code).toBe('scenario_draft_exists');
  });

  it('hides a draft from callers and from other programmes', async () => {
    expect((await caller.request('GET', `${base()}/${draftId}`)).statusCode).toBe(404);
    expect((await coordinator.request('GET', `${base()}/${draftId}`)).statusCode).toBe(200);
    expect((await otherCoordinator.request('GET', `${base()}/${draftId}`)).statusCode).toBe(404);
    // The caller may not change scenarios at all.
    expect((await caller.request('PUT', `${base()}/${draftId}`, { definition: clone() })).statusCode).toBe(403);
  });

  it('edits the draft, then publishes it: new conversations use it', async () => {
    const def = clone();
    def.title.en = 'How are you? (Genk)';
    const put = await coordinator.request('PUT', `${base()}/${draftId}`, { definition: def });
    expect(put.statusCode, put.body).toBe(200);
    expect(put.json().definition.title.en).toBe('How are you? (Genk)');
    const pub = await coordinator.request('POST', `${base()}/${draftId}/publish`);
    expect(pub.statusCode, pub.body).toBe(200);
    expect(pub.json()).toMatchObject({ status: 'published', version: 1, publishedAt: expect.any(String) });
    v1 = draftId;
    const current = await caller.request('GET', base());
    expect(current.json().current).toMatchObject({ id: v1, isDefault: false });
  });

  it('never changes a published version, nor the default', async () => {
    const r = await coordinator.request('PUT', `${base()}/${v1}`, { definition: clone() });
    expect(r.statusCode).toBe(409);
    expect(r.json().code).toBe('scenario_not_draft');
    expect((await coordinator.request('POST', `${base()}/${v1}/publish`)).statusCode).toBe(409);
    const def = (await caller.request('GET', base())).json().versions;
    expect(def).toBeUndefined();
    const list = (await coordinator.request('GET', base())).json().versions as { id: string; isDefault: boolean }[];
    const shared = list.find((v) => v.isDefault);
    expect((await coordinator.request('PUT', `${base()}/${shared?.id}`, { definition: clone() })).statusCode).toBe(409);
  });

  it('publishes the next version and retires the one before; the history lists all', async () => {
    const def = clone();
    def.sections[0]?.questions.push({ id: 'sleep', text: t('Slaapt u goed?'), type: 'yes_no', counted: true });
    const draft = await coordinator.request('POST', base(), { definition: def });
    expect(draft.statusCode, draft.body).toBe(201);
    expect(draft.json()).toMatchObject({ version: 2, status: 'draft' });
    expect((await coordinator.request('POST', `${base()}/${draft.json().id}/publish`)).statusCode).toBe(200);
    const list = await coordinator.request('GET', base());
    expect(list.json().current).toMatchObject({ id: draft.json().id, version: 2 });
    expect((list.json().versions as { version: number; status: string; isDefault: boolean }[]).map((v) => [v.version, v.status, v.isDefault])).toEqual([
      [2, 'published', false],
      [1, 'retired', false],
      [1, 'published', true],
    ]);
    // A retired version stays readable (past conversations name it); it never changes.
    const old = await caller.request('GET', `${base()}/${v1}`);
    expect(old.statusCode).toBe(200);
    expect(old.json()).toMatchObject({ status: 'retired', version: 1 });
    const audit = await s.database.db
      .selectFrom('audit_events')
      .select('action')
      .where('programme_id', '=', programmeId)
      .where('action', 'like', 'scenario.%')
      .execute();
    expect(audit.map((a) => a.action).sort()).toEqual(['scenario.draft', 'scenario.draft', 'scenario.edit', 'scenario.publish', 'scenario.publish']);
  });
});
