/**
 * The scenario editor's model against the server's own schema: the shipped guide goes through the
 * editor unchanged, what the editor writes after a change is what the API takes (or refuses at a
 * path the editor puts back on the right item, even after a reorder).
 */
import { describe, expect, it } from 'vitest';
import { DEFAULT_SCENARIO } from '../../modules/outreach/default-scenario.ts';
import { scenarioDefinition } from '../../modules/outreach/scenarios.ts';
import { issuesToFieldErrors } from '../../server/validation.ts';
import { errorsByUid, hasGerman, move, newChoice, newQuestion, newSection, toDefinition, toModel } from './scenario-model.ts';

const parsed = () => scenarioDefinition.parse(DEFAULT_SCENARIO);

/** What the API would answer, as field → code, prefixed like a body field. */
function refusal(def: unknown): Record<string, string> {
  const r = scenarioDefinition.safeParse(def);
  if (r.success) return {};
  return Object.fromEntries(issuesToFieldErrors(r.error.issues, 'body').map((f) => [`definition.${f.field}`, f.code]));
}

describe('the scenario editor model', () => {
  it('reads and writes the shipped guide unchanged', () => {
    const def = parsed();
    const model = toModel(def);
    expect(toDefinition(model)).toEqual(def);
    expect(hasGerman(model)).toBe(false);
  });

  it('writes what the API takes after a question, a choice question and a section are added', () => {
    const model = toModel(parsed());
    const used = model.sections.flatMap((s) => s.questions.map((q) => q.id));
    const q = newQuestion(used);
    q.text = { nl: 'Slaapt u goed?', fr: 'Dormez-vous bien ?', en: 'Do you sleep well?', de: '' };
    q.escalatesOn.yesNo = [false];
    q.escalationReason = 'fear_for_life';
    const section = newSection(
      model.sections.map((s) => s.id),
      [...used, q.id],
    );
    section.title = { nl: 'Slaap', fr: 'Sommeil', en: 'Sleep', de: 'Schlaf' };
    const choice = section.questions[0];
    if (!choice) throw new Error('a new section has a question');
    choice.type = 'choice';
    choice.text = { nl: 'Hoe?', fr: 'Comment ?', en: 'How?', de: '' };
    choice.choices = [newChoice([]), newChoice(['choice-1'])];
    choice.choices.forEach((c, i) => {
      c.label = { nl: `k${i}`, fr: `c${i}`, en: `c${i}`, de: '' };
    });
    choice.escalatesOn.choiceUids = [choice.choices[1]?.uid ?? ''];
    choice.escalationReason = 'threats';
    const first = model.sections[0];
    if (!first) throw new Error('the guide has sections');
    first.questions.push(q);
    model.sections.push(section);
    const def = toDefinition(model);
    expect(refusal(def)).toEqual({});
    const written = def.sections.at(-1)?.questions[0];
    expect(written).toMatchObject({ type: 'choice', escalatesOn: ['choice-2'], escalationReason: 'threats' });
    expect(def.sections.at(-1)?.title).toEqual({ nl: 'Slaap', fr: 'Sommeil', en: 'Sleep', de: 'Schlaf' });
    expect(hasGerman(model)).toBe(true);
  });

  it('leaves out what no longer fits a changed type, and never counts free text', () => {
    const model = toModel(parsed());
    const threats = model.sections.flatMap((s) => s.questions).find((q) => q.id === 'threats');
    if (!threats) throw new Error('the guide asks about threats');
    threats.type = 'text';
    threats.counted = true;
    const def = toDefinition(model);
    const written = def.sections.flatMap((s) => s.questions).find((q) => q.id === 'threats');
    expect(written).toMatchObject({ type: 'text', counted: false });
    expect(written?.escalatesOn).toBeUndefined();
    expect(written?.escalationReason).toBeUndefined();
    expect(refusal(def)).toEqual({});
  });

  it('puts each refusal back on its item, even after the items were reordered', () => {
    const model = toModel(parsed());
    const [a, b] = model.sections;
    if (!a || !b) throw new Error('the guide has sections');
    const q = b.questions[1];
    if (!q) throw new Error('the second section has two questions');
    q.text = { ...q.text, fr: '' };
    q.id = a.questions[0]?.id ?? '';
    const sent = model;
    const fields = refusal(toDefinition(sent));
    expect(fields).toMatchObject({ 'definition.sections.1.questions.1.text.fr': 'too_small' });
    const errors = errorsByUid(fields, sent);
    expect(errors[`${q.uid}.text.fr`]).toBe('too_small');
    // The duplicate identifier is found once the wording is right, at the second use.
    q.text = { ...q.text, fr: 'Bonjour ?' };
    const second = errorsByUid(refusal(toDefinition(sent)), sent);
    expect(second[`${q.uid}.id`]).toBe('scenario_id_duplicate');
    // Moved afterwards: the error stays with the question, not with the place it had.
    const moved = { ...sent, sections: move(sent.sections, 1, 0) };
    expect(moved.sections[0]?.questions[1]?.uid).toBe(q.uid);
    expect(second[`${q.uid}.id`]).toBe('scenario_id_duplicate');
    expect(errorsByUid({ 'definition.title.nl': 'required', 'definition.sections': 'too_small' }, sent)).toEqual({
      'title.nl': 'required',
      sections: 'too_small',
    });
  });

  it('moves an item of a list', () => {
    expect(move(['a', 'b', 'c'], 0, 2)).toEqual(['b', 'c', 'a']);
    expect(move(['a', 'b', 'c'], 2, 1)).toEqual(['a', 'c', 'b']);
  });
});
