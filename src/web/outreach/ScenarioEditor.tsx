/**
 * The structured editor of a scenario draft: the title, sections and their questions, each with
 * its wording in nl/fr/en (German optional), the caller's help, the answer type (yes/no, scale
 * 1–5, a choice with its choices, free text), whether it is counted in reports, and which answers
 * raise an escalation with which reason. Sections, questions and choices are reordered with
 * buttons (focus stays on the moved item, the move is announced); a question folds to one line.
 * Saving sends the whole definition; each field error from the server stands at its field, even
 * after a later reorder (errors are kept by item, not by position).
 */
import {
  Box,
  Button,
  Card,
  Checkbox,
  Fieldset,
  Group,
  NativeSelect,
  SimpleGrid,
  Stack,
  Switch,
  Text,
  Textarea,
  TextInput,
  Title,
  VisuallyHidden,
} from '@mantine/core';
import type { TFunction } from 'i18next';
import { type ReactNode, useEffect, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { reasonLabel } from './EscalationsPage.tsx';
import { MARKED_REASONS, type MarkedReason, NS, QUESTION_TYPES, type QuestionType, SCALE, WORDING_LOCALES } from './outreach-admin.ts';
import {
  type ChoiceModel,
  errorUnder,
  type Localised,
  move,
  newChoice,
  newQuestion,
  newSection,
  type QuestionModel,
  type ScenarioModel,
  type SectionModel,
} from './scenario-model.ts';

/** Focus a control once the next render has put it in place (after a move, a removal, an addition). */
function useFocusAfterRender() {
  const pending = useRef<string | null>(null);
  useEffect(() => {
    if (!pending.current) return;
    const el = document.getElementById(pending.current);
    if (el) {
      el.focus();
      pending.current = null;
    }
  });
  return (id: string) => {
    pending.current = id;
  };
}

/**
 * The button to focus once item `uid` moved from `from` to `to` in a list of `count`: the one it
 * was moved with, or the other one when it reached the end (the first is disabled there).
 */
function afterMove(uid: string, from: number, to: number, count: number): string {
  if (to === 0) return `${uid}-down`;
  if (to === count - 1) return `${uid}-up`;
  return `${uid}-${to < from ? 'up' : 'down'}`;
}

/** A group's legend, as strong as a field's label. */
const LEGEND = { legend: { fontWeight: 600, fontSize: 'var(--mantine-font-size-sm)', marginBottom: 4 } };

const wordingIn = (l: Localised, language: string) => (language === 'nl' || language === 'fr' || language === 'de' ? l[language] : l.en) || l.nl || l.en;

/**
 * One text in each wording language (nl, fr, en; German when asked for), side by side: each
 * field is named `<name>.<language>`, as are its errors from the server.
 */
function LocalisedFields({
  legend,
  value,
  onChange,
  errors,
  name,
  german,
  multiline,
  optional,
  description,
}: {
  legend: string;
  value: Localised;
  onChange: (v: Localised) => void;
  errors: Record<string, string>;
  name: string;
  german: boolean;
  multiline?: boolean;
  optional?: boolean;
  description?: string;
}) {
  const { t } = useTranslation(NS);
  const locales = WORDING_LOCALES.filter((l) => german || l !== 'de');
  return (
    <Fieldset legend={legend} variant="unstyled" p={0} styles={LEGEND}>
      {description ? (
        <Text size="sm" c="dimmed" mb={4}>
          {description}
        </Text>
      ) : null}
      <SimpleGrid cols={{ base: 1, md: locales.length }} spacing="sm">
        {locales.map((l) => {
          const props = {
            label: l === 'de' ? t('scenarios.lang.deOptional') : t(`scenarios.lang.${l}`),
            name: `${name}.${l}`,
            lang: l,
            required: !optional && l !== 'de',
            value: value[l],
            error: errors[`${name}.${l}`],
          };
          return multiline ? (
            <Textarea key={l} {...props} autosize minRows={2} maxRows={8} onChange={(e) => onChange({ ...value, [l]: e.currentTarget.value })} />
          ) : (
            <TextInput key={l} {...props} onChange={(e) => onChange({ ...value, [l]: e.currentTarget.value })} />
          );
        })}
      </SimpleGrid>
    </Fieldset>
  );
}

/** Up, down and remove for one item of a list; each names the item it acts on. */
function MoveButtons({
  uid,
  name,
  index,
  count,
  onMove,
  onRemove,
}: {
  uid: string;
  name: string;
  index: number;
  count: number;
  onMove: (to: number) => void;
  onRemove?: () => void;
}) {
  const { t } = useTranslation(NS);
  return (
    <Group gap={4} wrap="nowrap">
      <Button
        id={`${uid}-up`}
        size="compact-sm"
        variant="default"
        disabled={index === 0}
        onClick={() => onMove(index - 1)}
        aria-label={t('scenarios.editor.moveUp', { name })}
      >
        <span aria-hidden="true">↑</span>
      </Button>
      <Button
        id={`${uid}-down`}
        size="compact-sm"
        variant="default"
        disabled={index === count - 1}
        onClick={() => onMove(index + 1)}
        aria-label={t('scenarios.editor.moveDown', { name })}
      >
        <span aria-hidden="true">↓</span>
      </Button>
      {onRemove ? (
        <Button size="compact-sm" variant="outline" color="red.9" onClick={onRemove} aria-label={t('scenarios.editor.removeNamed', { name })}>
          {t('scenarios.editor.remove')}
        </Button>
      ) : null}
    </Group>
  );
}

const typeLabel = (t: TFunction, type: QuestionType) => t(`${NS}:scenarios.type.${type}`);

/** An error key about the item `uid` (`<uid>` or `<uid>.<field>`). */
const about = (key: string, uid: string) => key === uid || key.startsWith(`${uid}.`);

function questionHasError(q: QuestionModel, errors: Record<string, string>): boolean {
  return Object.keys(errors).some((k) => about(k, q.uid) || q.choices.some((c) => about(k, c.uid)));
}

function QuestionEditor({
  question: q,
  number,
  index,
  count,
  errors,
  german,
  expanded,
  onToggle,
  onChange,
  onMove,
  onRemove,
  focus,
  announce,
}: {
  question: QuestionModel;
  number: string;
  index: number;
  count: number;
  errors: Record<string, string>;
  german: boolean;
  expanded: boolean;
  onToggle: () => void;
  onChange: (q: QuestionModel) => void;
  onMove: (to: number) => void;
  onRemove?: () => void;
  focus: (id: string) => void;
  announce: (text: string) => void;
}) {
  const { t, i18n } = useTranslation(NS);
  const name = t('scenarios.editor.questionName', { number });
  const set = <K extends keyof QuestionModel>(k: K, v: QuestionModel[K]) => onChange({ ...q, [k]: v });
  const hasError = questionHasError(q, errors);
  const marked =
    q.type === 'yes_no'
      ? q.escalatesOn.yesNo.length
      : q.type === 'scale'
        ? q.escalatesOn.scale.length
        : q.type === 'choice'
          ? q.escalatesOn.choiceUids.length
          : 0;
  const setType = (type: QuestionType) => {
    const choices = [...q.choices];
    // A choice needs two choices at least: start with empty ones to word.
    while (type === 'choice' && choices.length < 2) choices.push(newChoice(choices.map((c) => c.key)));
    onChange({ ...q, type, choices, counted: type === 'text' ? false : q.counted });
  };
  const moveChoice = (from: number, to: number) => {
    const c = q.choices[from];
    if (!c) return;
    set('choices', move(q.choices, from, to));
    focus(afterMove(c.uid, from, to, q.choices.length));
    announce(t('scenarios.editor.moved', { name: t('scenarios.editor.choiceName', { n: from + 1 }), position: to + 1, count: q.choices.length }));
  };
  const panelId = `${q.uid}-panel`;
  return (
    <Card withBorder padding="sm" component="li" data-question={q.id} aria-label={name}>
      <Stack gap="sm">
        <Group justify="space-between" wrap="nowrap" align="flex-start">
          <Box style={{ minWidth: 0 }}>
            <Button
              id={`${q.uid}-toggle`}
              variant="subtle"
              size="compact-md"
              onClick={onToggle}
              aria-expanded={expanded}
              aria-controls={panelId}
              px={4}
              styles={{ label: { whiteSpace: 'normal', textAlign: 'left' }, root: { height: 'auto' } }}
            >
              <span aria-hidden="true">{expanded ? '▾ ' : '▸ '}</span>
              {number}. {wordingIn(q.text, i18n.language) || t('scenarios.editor.noWording')}
            </Button>
            <Text size="xs" c="dimmed" pl={4}>
              {[
                typeLabel(t, q.type),
                q.type !== 'text' && q.counted ? t('scenarios.editor.countedShort') : null,
                marked ? t('scenarios.editor.escalatesShort') : null,
              ]
                .filter(Boolean)
                .join(' · ')}
              {hasError ? (
                <Text span c="red.9" fw={700}>
                  {' · '}
                  {t('scenarios.editor.hasErrors')}
                </Text>
              ) : null}
            </Text>
          </Box>
          <MoveButtons uid={q.uid} name={name} index={index} count={count} onMove={onMove} onRemove={onRemove} />
        </Group>
        {expanded ? (
          <Stack gap="sm" id={panelId}>
            <Group grow align="flex-start">
              <TextInput
                label={t('scenarios.editor.questionId')}
                description={t('scenarios.editor.idHint')}
                name={`${q.uid}.id`}
                required
                value={q.id}
                onChange={(e) => set('id', e.currentTarget.value)}
                error={errors[`${q.uid}.id`]}
                classNames={{ input: 'mono' }}
              />
              <NativeSelect
                label={t('scenarios.editor.type')}
                name={`${q.uid}.type`}
                value={q.type}
                onChange={(e) => setType(e.currentTarget.value as QuestionType)}
                data={QUESTION_TYPES.map((type) => ({ value: type, label: typeLabel(t, type) }))}
                error={errors[`${q.uid}.type`]}
              />
            </Group>
            <LocalisedFields
              legend={t('scenarios.editor.wording', { name })}
              value={q.text}
              onChange={(v) => set('text', v)}
              errors={errors}
              name={`${q.uid}.text`}
              german={german}
              multiline
            />
            <LocalisedFields
              legend={t('scenarios.editor.help', { name })}
              description={t('scenarios.editor.helpHint')}
              value={q.help}
              onChange={(v) => set('help', v)}
              errors={errors}
              name={`${q.uid}.help`}
              german={german}
              multiline
              optional
            />
            {q.type === 'choice' ? (
              <Fieldset legend={t('scenarios.editor.choices', { name })} variant="unstyled" p={0} styles={LEGEND}>
                <Stack gap="xs">
                  {errorUnder(errors, `${q.uid}.choices`) && !q.choices.some((c) => errors[`${c.uid}.key`]) ? (
                    <Text size="sm" c="red.9" role="alert">
                      {errorUnder(errors, `${q.uid}.choices`)}
                    </Text>
                  ) : null}
                  <Stack gap="xs" component="ol" className="nav-list">
                    {q.choices.map((c, k) => (
                      <ChoiceEditor
                        key={c.uid}
                        choice={c}
                        n={k + 1}
                        count={q.choices.length}
                        errors={errors}
                        german={german}
                        onChange={(nc) =>
                          set(
                            'choices',
                            q.choices.map((x) => (x.uid === c.uid ? nc : x)),
                          )
                        }
                        onMove={(to) => moveChoice(k, to)}
                        onRemove={() => {
                          onChange({
                            ...q,
                            choices: q.choices.filter((x) => x.uid !== c.uid),
                            escalatesOn: { ...q.escalatesOn, choiceUids: q.escalatesOn.choiceUids.filter((u) => u !== c.uid) },
                          });
                          focus(`${q.uid}-add-choice`);
                          announce(t('scenarios.editor.removed', { name: t('scenarios.editor.choiceName', { n: k + 1 }) }));
                        }}
                      />
                    ))}
                  </Stack>
                  <Box>
                    <Button
                      id={`${q.uid}-add-choice`}
                      size="xs"
                      variant="default"
                      onClick={() => {
                        const c = newChoice(q.choices.map((x) => x.key));
                        set('choices', [...q.choices, c]);
                        focus(`${c.uid}-key`);
                      }}
                    >
                      {t('scenarios.editor.addChoice')}
                    </Button>
                  </Box>
                </Stack>
              </Fieldset>
            ) : null}
            {q.type === 'text' ? (
              <Text size="sm" c="dimmed">
                {t('scenarios.editor.textNotCounted')}
              </Text>
            ) : (
              <>
                <Checkbox
                  label={t('scenarios.editor.counted')}
                  description={t('scenarios.editor.countedHint')}
                  name={`${q.uid}.counted`}
                  checked={q.counted}
                  onChange={(e) => set('counted', e.currentTarget.checked)}
                  error={errors[`${q.uid}.counted`]}
                />
                <EscalationFields question={q} errors={errors} onChange={onChange} />
              </>
            )}
          </Stack>
        ) : null}
      </Stack>
    </Card>
  );
}

function ChoiceEditor({
  choice: c,
  n,
  count,
  errors,
  german,
  onChange,
  onMove,
  onRemove,
}: {
  choice: ChoiceModel;
  n: number;
  count: number;
  errors: Record<string, string>;
  german: boolean;
  onChange: (c: ChoiceModel) => void;
  onMove: (to: number) => void;
  onRemove: () => void;
}) {
  const { t } = useTranslation(NS);
  const name = t('scenarios.editor.choiceName', { n });
  return (
    <Box component="li" pl="sm" style={{ borderLeft: '3px solid var(--mantine-color-gray-4)' }} data-choice={c.key}>
      <Stack gap={6}>
        <Group justify="space-between" align="flex-end" wrap="nowrap">
          <TextInput
            id={`${c.uid}-key`}
            label={t('scenarios.editor.choiceKey', { name })}
            name={`${c.uid}.key`}
            required
            value={c.key}
            onChange={(e) => onChange({ ...c, key: e.currentTarget.value })}
            error={errors[`${c.uid}.key`]}
            classNames={{ input: 'mono' }}
            w={260}
          />
          <MoveButtons uid={c.uid} name={name} index={n - 1} count={count} onMove={onMove} onRemove={onRemove} />
        </Group>
        <LocalisedFields
          legend={t('scenarios.editor.choiceLabel', { name })}
          value={c.label}
          onChange={(label) => onChange({ ...c, label })}
          errors={errors}
          name={`${c.uid}.label`}
          german={german}
        />
      </Stack>
    </Box>
  );
}

function EscalationFields({
  question: q,
  errors,
  onChange,
}: {
  question: QuestionModel;
  errors: Record<string, string>;
  onChange: (q: QuestionModel) => void;
}) {
  const { t, i18n } = useTranslation(NS);
  const error = errorUnder(errors, `${q.uid}.escalatesOn`);
  let group: ReactNode = null;
  const label = t('scenarios.editor.escalatesOn');
  if (q.type === 'yes_no') {
    group = (
      <Checkbox.Group
        label={label}
        value={q.escalatesOn.yesNo.map(String)}
        onChange={(v) => onChange({ ...q, escalatesOn: { ...q.escalatesOn, yesNo: v.map((x) => x === 'true') } })}
        error={error}
      >
        <Group mt={6}>
          <Checkbox value="true" label={t('scenarios.yes')} name={`${q.uid}.escalatesOn`} />
          <Checkbox value="false" label={t('scenarios.no')} name={`${q.uid}.escalatesOn`} />
        </Group>
      </Checkbox.Group>
    );
  } else if (q.type === 'scale') {
    group = (
      <Checkbox.Group
        label={label}
        description={t('scenarios.editor.scaleHint')}
        value={q.escalatesOn.scale.map(String)}
        onChange={(v) => onChange({ ...q, escalatesOn: { ...q.escalatesOn, scale: v.map(Number) } })}
        error={error}
      >
        <Group mt={6}>
          {SCALE.map((n) => (
            <Checkbox key={n} value={String(n)} label={String(n)} name={`${q.uid}.escalatesOn`} />
          ))}
        </Group>
      </Checkbox.Group>
    );
  } else if (q.type === 'choice') {
    group = (
      <Checkbox.Group
        label={label}
        value={q.escalatesOn.choiceUids}
        onChange={(v) => onChange({ ...q, escalatesOn: { ...q.escalatesOn, choiceUids: v } })}
        error={error}
      >
        <Group mt={6}>
          {q.choices.map((c, k) => (
            <Checkbox
              key={c.uid}
              value={c.uid}
              label={wordingIn(c.label, i18n.language) || t('scenarios.editor.choiceName', { n: k + 1 })}
              name={`${q.uid}.escalatesOn`}
            />
          ))}
        </Group>
      </Checkbox.Group>
    );
  }
  return (
    <Group align="flex-start" grow>
      {group}
      <NativeSelect
        label={t('scenarios.editor.reason')}
        name={`${q.uid}.escalationReason`}
        value={q.escalationReason}
        onChange={(e) => onChange({ ...q, escalationReason: e.currentTarget.value as MarkedReason | '' })}
        data={[{ value: '', label: t('scenarios.editor.noReason') }, ...MARKED_REASONS.map((r) => ({ value: r, label: reasonLabel(t, r) }))]}
        error={errors[`${q.uid}.escalationReason`]}
      />
    </Group>
  );
}

function SectionEditor({
  section: s,
  index,
  count,
  firstNumber,
  model,
  errors,
  german,
  expanded,
  setExpanded,
  onChange,
  onMove,
  onRemove,
  focus,
  announce,
}: {
  section: SectionModel;
  index: number;
  count: number;
  firstNumber: number;
  model: ScenarioModel;
  errors: Record<string, string>;
  german: boolean;
  expanded: Set<string>;
  setExpanded: (uid: string, open: boolean) => void;
  onChange: (s: SectionModel) => void;
  onMove: (to: number) => void;
  onRemove?: () => void;
  focus: (id: string) => void;
  announce: (text: string) => void;
}) {
  const { t, i18n } = useTranslation(NS);
  const name = t('scenarios.editor.sectionName', { n: index + 1 });
  const headingId = `${s.uid}-heading`;
  const usedQuestions = () => model.sections.flatMap((x) => x.questions.map((q) => q.id));
  const moveQuestion = (from: number, to: number) => {
    const q = s.questions[from];
    if (!q) return;
    onChange({ ...s, questions: move(s.questions, from, to) });
    focus(afterMove(q.uid, from, to, s.questions.length));
    announce(
      t('scenarios.editor.moved', {
        name: t('scenarios.editor.questionName', { number: `${firstNumber + from}` }),
        position: to + 1,
        count: s.questions.length,
      }),
    );
  };
  return (
    <Card withBorder padding="md" component="li" aria-labelledby={headingId} data-section={s.id} bg="gray.0">
      <Stack gap="sm">
        <Group justify="space-between" align="flex-start" wrap="nowrap">
          <Title order={3} size="h4" id={headingId}>
            {name}: {wordingIn(s.title, i18n.language) || t('scenarios.editor.noWording')}
          </Title>
          <MoveButtons uid={s.uid} name={name} index={index} count={count} onMove={onMove} onRemove={onRemove} />
        </Group>
        <TextInput
          id={`${s.uid}-id`}
          label={t('scenarios.editor.sectionId')}
          description={t('scenarios.editor.idHint')}
          name={`${s.uid}.id`}
          required
          value={s.id}
          onChange={(e) => onChange({ ...s, id: e.currentTarget.value })}
          error={errors[`${s.uid}.id`]}
          classNames={{ input: 'mono' }}
          w={320}
        />
        <LocalisedFields
          legend={t('scenarios.editor.sectionTitle', { name })}
          value={s.title}
          onChange={(title) => onChange({ ...s, title })}
          errors={errors}
          name={`${s.uid}.title`}
          german={german}
        />
        {errors[`${s.uid}.questions`] ? (
          <Text size="sm" c="red.9" role="alert">
            {errors[`${s.uid}.questions`]}
          </Text>
        ) : null}
        <Stack gap="xs" component="ol" className="nav-list" aria-label={t('scenarios.editor.questionsOf', { name })}>
          {s.questions.map((q, i) => (
            <QuestionEditor
              key={q.uid}
              question={q}
              number={`${firstNumber + i}`}
              index={i}
              count={s.questions.length}
              errors={errors}
              german={german}
              expanded={expanded.has(q.uid)}
              onToggle={() => setExpanded(q.uid, !expanded.has(q.uid))}
              onChange={(nq) => onChange({ ...s, questions: s.questions.map((x) => (x.uid === q.uid ? nq : x)) })}
              onMove={(to) => moveQuestion(i, to)}
              onRemove={
                s.questions.length > 1
                  ? () => {
                      onChange({ ...s, questions: s.questions.filter((x) => x.uid !== q.uid) });
                      focus(`${s.uid}-add-question`);
                      announce(t('scenarios.editor.removed', { name: t('scenarios.editor.questionName', { number: `${firstNumber + i}` }) }));
                    }
                  : undefined
              }
              focus={focus}
              announce={announce}
            />
          ))}
        </Stack>
        <Box>
          <Button
            id={`${s.uid}-add-question`}
            size="xs"
            variant="default"
            onClick={() => {
              const q = newQuestion(usedQuestions());
              onChange({ ...s, questions: [...s.questions, q] });
              setExpanded(q.uid, true);
              focus(`${q.uid}-toggle`);
            }}
          >
            {t('scenarios.editor.addQuestion', { name })}
          </Button>
        </Box>
      </Stack>
    </Card>
  );
}

/** The editor's body; the page around it owns saving and publishing. */
export function ScenarioEditor({
  model,
  onChange,
  errors,
  german,
  onGerman,
}: {
  model: ScenarioModel;
  onChange: (m: ScenarioModel) => void;
  errors: Record<string, string>;
  german: boolean;
  onGerman: (on: boolean) => void;
}) {
  const { t } = useTranslation(NS);
  const focus = useFocusAfterRender();
  const [message, setMessage] = useState('');
  const [opened, setOpened] = useState<Set<string>>(new Set());
  // Questions with an error are unfolded, so that the error can be seen and reached.
  const withErrors = new Set(model.sections.flatMap((s) => s.questions.filter((q) => questionHasError(q, errors)).map((q) => q.uid)));
  const expanded = new Set([...opened, ...withErrors]);
  const setExpanded = (uid: string, open: boolean) =>
    setOpened((prev) => {
      const n = new Set(prev);
      if (open) n.add(uid);
      else n.delete(uid);
      return n;
    });
  const setSection = (s: SectionModel) => onChange({ ...model, sections: model.sections.map((x) => (x.uid === s.uid ? s : x)) });
  const moveSection = (from: number, to: number) => {
    const s = model.sections[from];
    if (!s) return;
    onChange({ ...model, sections: move(model.sections, from, to) });
    focus(afterMove(s.uid, from, to, model.sections.length));
    setMessage(t('scenarios.editor.moved', { name: t('scenarios.editor.sectionName', { n: from + 1 }), position: to + 1, count: model.sections.length }));
  };
  let number = 1;
  return (
    <Stack gap="md">
      <Box aria-live="polite" role="status">
        <VisuallyHidden>{message}</VisuallyHidden>
      </Box>
      <Switch label={t('scenarios.editor.german')} checked={german} onChange={(e) => onGerman(e.currentTarget.checked)} name="german" />
      <LocalisedFields
        legend={t('scenarios.editor.title')}
        value={model.title}
        onChange={(title) => onChange({ ...model, title })}
        errors={errors}
        name="title"
        german={german}
      />
      {errors.sections ? (
        <Text size="sm" c="red.9" role="alert">
          {errors.sections}
        </Text>
      ) : null}
      <Stack gap="md" component="ol" className="nav-list" aria-label={t('scenarios.editor.sections')}>
        {model.sections.map((s, i) => {
          const first = number;
          number += s.questions.length;
          return (
            <SectionEditor
              key={s.uid}
              section={s}
              index={i}
              count={model.sections.length}
              firstNumber={first}
              model={model}
              errors={errors}
              german={german}
              expanded={expanded}
              setExpanded={setExpanded}
              onChange={setSection}
              onMove={(to) => moveSection(i, to)}
              onRemove={
                model.sections.length > 1
                  ? () => {
                      onChange({ ...model, sections: model.sections.filter((x) => x.uid !== s.uid) });
                      focus('add-section');
                      setMessage(t('scenarios.editor.removed', { name: t('scenarios.editor.sectionName', { n: i + 1 }) }));
                    }
                  : undefined
              }
              focus={focus}
              announce={setMessage}
            />
          );
        })}
      </Stack>
      <Box>
        <Button
          id="add-section"
          variant="default"
          onClick={() => {
            const s = newSection(
              model.sections.map((x) => x.id),
              model.sections.flatMap((x) => x.questions.map((q) => q.id)),
            );
            onChange({ ...model, sections: [...model.sections, s] });
            for (const q of s.questions) setExpanded(q.uid, true);
            focus(`${s.uid}-id`);
          }}
        >
          {t('scenarios.editor.addSection')}
        </Button>
      </Box>
    </Stack>
  );
}
