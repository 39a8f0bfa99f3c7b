/**
 * The scenario editor's model: a scenario definition with a stable client key (`uid`) on every
 * section, question and choice, so that reordering keeps focus and field errors on the thing they
 * are about. `toModel` reads a definition, `toDefinition` writes what the API takes (answers that
 * no longer fit a changed type are left out, free text is never counted), and `errorsByUid` turns
 * the server's field paths (`definition.sections.1.questions.0.text.fr`) into keys of the model
 * as it was sent (`<question uid>.text.fr`), which stay right after a later reorder.
 */
import type { MarkedReason, QuestionType, ScenarioDefinition, WordingLocale } from './outreach-admin.ts';

export type Localised = Record<WordingLocale, string>;

export interface ChoiceModel {
  uid: string;
  key: string;
  label: Localised;
}

export interface QuestionModel {
  uid: string;
  id: string;
  type: QuestionType;
  text: Localised;
  help: Localised;
  counted: boolean;
  choices: ChoiceModel[];
  /** Marked answers per type, so that switching the type back and forth loses nothing. */
  escalatesOn: { yesNo: boolean[]; scale: number[]; choiceUids: string[] };
  escalationReason: MarkedReason | '';
}

export interface SectionModel {
  uid: string;
  id: string;
  title: Localised;
  questions: QuestionModel[];
}

export interface ScenarioModel {
  title: Localised;
  sections: SectionModel[];
}

let next = 0;
export const newUid = (kind: string) => `${kind}-${(next++).toString(36)}-${Math.random().toString(36).slice(2, 7)}`;

type Wording = { nl: string; fr: string; en: string; de?: string };

export const emptyLocalised = (): Localised => ({ nl: '', fr: '', en: '', de: '' });
const localisedOf = (w: Wording | undefined): Localised => ({ nl: w?.nl ?? '', fr: w?.fr ?? '', en: w?.en ?? '', de: w?.de ?? '' });

/** nl, fr and en always (the API says which are missing); de only when written. */
function wordingOf(l: Localised): Wording {
  const de = l.de.trim();
  return { nl: l.nl, fr: l.fr, en: l.en, ...(de ? { de: l.de } : {}) };
}
const isBlank = (l: Localised) => Object.values(l).every((v) => v.trim() === '');

export function toModel(def: ScenarioDefinition): ScenarioModel {
  return {
    title: localisedOf(def.title),
    sections: def.sections.map((s) => ({
      uid: newUid('s'),
      id: s.id,
      title: localisedOf(s.title),
      questions: s.questions.map((q) => {
        const choices = (q.choices ?? []).map((c) => ({ uid: newUid('c'), key: c.key, label: localisedOf(c.label) }));
        const on = q.escalatesOn ?? [];
        return {
          uid: newUid('q'),
          id: q.id,
          type: q.type,
          text: localisedOf(q.text),
          help: localisedOf(q.help),
          counted: q.counted,
          choices,
          escalatesOn: {
            yesNo: q.type === 'yes_no' ? on.filter((v): v is boolean => typeof v === 'boolean') : [],
            scale: q.type === 'scale' ? on.filter((v): v is number => typeof v === 'number') : [],
            choiceUids: q.type === 'choice' ? choices.filter((c) => on.includes(c.key)).map((c) => c.uid) : [],
          },
          escalationReason: q.escalationReason ?? '',
        };
      }),
    })),
  };
}

/** The marked answers of a question as the API takes them (for its current type). */
export function markedValues(q: QuestionModel): (boolean | number | string)[] {
  switch (q.type) {
    case 'yes_no':
      return [...q.escalatesOn.yesNo].sort((a, b) => Number(b) - Number(a));
    case 'scale':
      return [...q.escalatesOn.scale].sort((a, b) => a - b);
    case 'choice':
      return q.choices.filter((c) => q.escalatesOn.choiceUids.includes(c.uid)).map((c) => c.key);
    case 'text':
      return [];
  }
}

export function toDefinition(m: ScenarioModel): ScenarioDefinition {
  return {
    title: wordingOf(m.title),
    sections: m.sections.map((s) => ({
      id: s.id,
      title: wordingOf(s.title),
      questions: s.questions.map((q) => {
        const marked = markedValues(q);
        return {
          id: q.id,
          text: wordingOf(q.text),
          ...(isBlank(q.help) ? {} : { help: wordingOf(q.help) }),
          type: q.type,
          ...(q.type === 'choice' ? { choices: q.choices.map((c) => ({ key: c.key, label: wordingOf(c.label) })) } : {}),
          counted: q.type === 'text' ? false : q.counted,
          ...(marked.length ? { escalatesOn: marked } : {}),
          ...(q.type !== 'text' && q.escalationReason ? { escalationReason: q.escalationReason } : {}),
        };
      }),
    })),
  } as ScenarioDefinition;
}

/**
 * Field errors of a save, keyed by the model they were about: `title.nl`, `sections`,
 * `<section uid>.id`, `<section uid>.questions`, `<question uid>.text.fr`, `<choice uid>.key`.
 */
export function errorsByUid(fields: Record<string, string>, sent: ScenarioModel): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [path, message] of Object.entries(fields)) {
    const parts = path.replace(/^definition\.?/, '').split('.');
    let key = parts.join('.');
    if (parts[0] === 'sections' && parts.length > 1) {
      const section = sent.sections[Number(parts[1])];
      let rest = parts.slice(2);
      let owner = section?.uid ?? 'sections';
      if (section && rest[0] === 'questions' && rest.length > 1) {
        const question = section.questions[Number(rest[1])];
        owner = question?.uid ?? owner;
        rest = rest.slice(2);
        if (question && rest[0] === 'choices' && rest.length > 1) {
          const choice = question.choices[Number(rest[1])];
          if (choice) {
            owner = choice.uid;
            rest = rest.slice(2);
          }
        }
      }
      key = rest.length ? `${owner}.${rest.join('.')}` : owner;
    }
    if (!(key in out)) out[key] = message;
  }
  return out;
}

/** The first error at `key` or under it (`<uid>.escalatesOn.1` for `<uid>.escalatesOn`). */
export function errorUnder(errors: Record<string, string>, key: string): string | undefined {
  return errors[key] ?? Object.entries(errors).find(([k]) => k.startsWith(`${key}.`))?.[1];
}

/** An identifier not yet used: `question-3`. */
export function freshId(prefix: string, used: Iterable<string>): string {
  const taken = new Set(used);
  for (let i = 1; ; i++) if (!taken.has(`${prefix}-${i}`)) return `${prefix}-${i}`;
}

export function newQuestion(used: Iterable<string>): QuestionModel {
  return {
    uid: newUid('q'),
    id: freshId('question', used),
    type: 'yes_no',
    text: emptyLocalised(),
    help: emptyLocalised(),
    counted: true,
    choices: [],
    escalatesOn: { yesNo: [], scale: [], choiceUids: [] },
    escalationReason: '',
  };
}

export function newSection(usedSections: Iterable<string>, usedQuestions: Iterable<string>): SectionModel {
  return { uid: newUid('s'), id: freshId('section', usedSections), title: emptyLocalised(), questions: [newQuestion(usedQuestions)] };
}

export function newChoice(used: Iterable<string>): ChoiceModel {
  return { uid: newUid('c'), key: freshId('choice', used), label: emptyLocalised() };
}

/** The list with the item at `from` moved to `to`. */
export function move<T>(list: readonly T[], from: number, to: number): T[] {
  const out = [...list];
  const [item] = out.splice(from, 1);
  if (item !== undefined) out.splice(to, 0, item);
  return out;
}

/** Whether any wording in German was written (then the German fields are shown). */
export function hasGerman(m: ScenarioModel): boolean {
  const any = (l: Localised) => l.de.trim() !== '';
  return any(m.title) || m.sections.some((s) => any(s.title) || s.questions.some((q) => any(q.text) || any(q.help) || q.choices.some((c) => any(c.label))));
}
