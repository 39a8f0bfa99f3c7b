/**
 * `/outreach/contacts/:contactId/conversation`: the "How are you?" conversation with a reached
 * contact, guided by the programme's scenario (the version the conversation started with), section
 * by section, in the language the caller chooses for the wording (theirs by default). Answers are
 * saved as the caller goes: a choice at once, typed text after a pause and when leaving the field.
 * An answer that a marked question escalates on raises an escalation at once: the alert says what
 * happens next and takes focus. The caller can escalate by their own judgment (E), the person can
 * refuse (a clear button), and the conversation ends as held: then referral and closing.
 * While the conversation is open the caller's claim on the contact is renewed, so that nobody else
 * can take it in mid-call.
 */
import { Alert, Anchor, Box, Button, Card, Group, Loader, NativeSelect, Stack, Text, Title } from '@mantine/core';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useCallback, useEffect, useRef, useState } from 'react';
import { flushSync } from 'react-dom';
import { useTranslation } from 'react-i18next';
import { Link, useLocation, useNavigate, useParams } from 'react-router';
import { formatDateTime } from '../../kernel/i18n/locales.ts';
import { ApiError, post, put } from '../app/api.ts';
import { ConfirmDialog, Page, ProblemAlert, useProblem } from '../app/ui.tsx';
import { useProgrammeContext } from '../referrals/ProgrammePicker.tsx';
import { EscalateDialog, RaisedAlert } from './ConversationEscalate.tsx';
import { Question } from './ConversationQuestion.tsx';
import {
  type Answer,
  type Conversation,
  type ConversationRead,
  cardUrl,
  contactPath,
  conversationPath,
  formatTime,
  type Raised,
  referralUrl,
  refOf,
  type Scenario,
  useConversations,
  useScenario,
  wording,
  worklistUrl,
} from './outreach.ts';
import { KeyboardHelp, useShortcuts } from './WorklistKeyboard.tsx';

/** How long after the last keystroke typed text is saved. */
const TEXT_DELAY_MS = 1200;
/** A choice is saved almost at once; arrows moving through a group send only the last. */
const CHOICE_DELAY_MS = 400;
/** The claim is renewed this often while the conversation is on screen (leases last 30 minutes by default). */
const KEEP_LEASE_MS = 10 * 60_000;

type SaveState = { kind: 'idle' } | { kind: 'saving' } | { kind: 'saved'; at: Date } | { kind: 'error'; error: unknown };

interface Saved {
  conversation: Conversation;
  escalation: Raised | null;
}

/** Answers queued and sent in batches, one request at a time, in order. */
function useAnswerSaver(programmeId: string, conversationId: string | null, onSaved: (s: Saved) => void) {
  const pending = useRef<Record<string, Answer | null>>({});
  const timer = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);
  const chain = useRef<Promise<void>>(Promise.resolve());
  const [state, setState] = useState<SaveState>({ kind: 'idle' });
  const [fieldErrors, setFieldErrors] = useState<Record<string, string>>({});
  const onSavedRef = useRef(onSaved);
  onSavedRef.current = onSaved;

  const flush = useCallback((): Promise<void> => {
    clearTimeout(timer.current);
    const batch = pending.current;
    pending.current = {};
    if (!conversationId || Object.keys(batch).length === 0) return chain.current;
    chain.current = chain.current.then(async () => {
      setState({ kind: 'saving' });
      try {
        const r = await put<Saved>(`${conversationPath(programmeId, conversationId)}/answers`, { answers: batch });
        setFieldErrors((old) => Object.fromEntries(Object.entries(old).filter(([k]) => !(k.replace(/^answers\./, '') in batch))));
        setState({ kind: 'saved', at: new Date() });
        onSavedRef.current(r);
      } catch (error) {
        setState({ kind: 'error', error });
        if (error instanceof ApiError && error.status === 0) {
          // The network: keep the answers for the next try, unless changed since.
          for (const [k, v] of Object.entries(batch)) if (!(k in pending.current)) pending.current[k] = v;
        } else if (error instanceof ApiError) {
          setFieldErrors((old) => ({ ...old, ...error.fieldErrors() }));
        }
      }
    });
    return chain.current;
  }, [programmeId, conversationId]);

  const queue = useCallback(
    (id: string, value: Answer | null, delay: number) => {
      pending.current[id] = value;
      clearTimeout(timer.current);
      timer.current = setTimeout(() => void flush(), delay);
    },
    [flush],
  );

  // Leaving the page sends what is still waiting.
  useEffect(() => () => void flush(), [flush]);
  return { queue, flush, state, fieldErrors };
}

/** Renews the claim on the contact now and every few minutes, while `enabled`. */
function useKeepLease(programmeId: string | null, contactId: string, enabled: boolean) {
  useEffect(() => {
    if (!programmeId || !enabled) return;
    const renew = () => void post(`${contactPath(programmeId, contactId)}/claim`).catch(() => undefined);
    renew();
    const id = setInterval(renew, KEEP_LEASE_MS);
    return () => clearInterval(id);
  }, [programmeId, contactId, enabled]);
}

function SaveStatus({ state }: { state: SaveState }) {
  const { t } = useTranslation('outreach');
  const text =
    state.kind === 'saving'
      ? t('conversation.saving')
      : state.kind === 'saved'
        ? t('conversation.saved', { at: formatTime(state.at) })
        : state.kind === 'error'
          ? t('conversation.saveFailed')
          : t('conversation.notYetSaved');
  return (
    <Text
      size="sm"
      role="status"
      data-testid="save-status"
      data-state={state.kind}
      fw={state.kind === 'error' ? 700 : 400}
      c={state.kind === 'error' ? 'red.9' : undefined}
    >
      {text}
    </Text>
  );
}

/** The conversation in progress: its sections one at a time, its answers, its escalations. */
function Guide({
  programmeId,
  contactId,
  search,
  conversation,
  initial,
  scenario,
  autoFocus,
  onContactClosed,
}: {
  programmeId: string;
  contactId: string;
  search: string;
  conversation: Conversation;
  initial: Record<string, Answer>;
  scenario: Scenario;
  /** just started: focus goes to the first section's heading */
  autoFocus: boolean;
  /** an escalation closed the contact: its card is no longer the caller's */
  onContactClosed: () => void;
}) {
  const { t, i18n } = useTranslation('outreach');
  const navigate = useNavigate();
  const qc = useQueryClient();
  const def = scenario.definition;
  const langs = (['nl', 'fr', 'en', 'de'] as const).filter((l) => l !== 'de' || def.title.de);
  const [lang, setLang] = useState<string>((langs as readonly string[]).includes(i18n.language) ? i18n.language : 'en');
  const [values, setValues] = useState<Record<string, Answer | null>>(initial);
  const [section, setSection] = useState(0);
  const [raised, setRaised] = useState<Raised[]>(() =>
    conversation.escalations.map((e) => ({ ...e, dossierColour: e.colour, contactClosed: conversation.contact.status === 'closed' })),
  );
  const [contactClosed, setContactClosed] = useState(conversation.contact.status === 'closed');
  useEffect(() => {
    if (contactClosed) onContactClosed();
  }, [contactClosed, onContactClosed]);
  const [escalating, setEscalating] = useState(false);
  const [refusing, setRefusing] = useState(false);
  const alertRef = useRef<HTMLDivElement>(null);
  const headingRef = useRef<HTMLHeadingElement>(null);
  const problem = useProblem();
  useKeepLease(programmeId, contactId, !contactClosed);

  const onRaised = useCallback((r: Raised) => {
    // On screen at once, and focus on it: the caller must read what happens now.
    flushSync(() => {
      setEscalating(false);
      setRaised((old) => (old.some((e) => e.id === r.id) ? old : [...old, r]));
      if (r.contactClosed) setContactClosed(true);
    });
    alertRef.current?.focus();
  }, []);
  const saver = useAnswerSaver(programmeId, conversation.id, (s) => {
    if (s.conversation.contact.status === 'closed') setContactClosed(true);
    if (s.escalation) onRaised(s.escalation);
  });

  const answer = (id: string, value: Answer | null, text = false) => {
    setValues((v) => ({ ...v, [id]: value }));
    saver.queue(id, typeof value === 'string' && text && value.trim() === '' ? null : value, text ? TEXT_DELAY_MS : CHOICE_DELAY_MS);
  };

  useEffect(() => {
    if (autoFocus) headingRef.current?.focus();
  }, [autoFocus]);

  // After moving to another section, focus goes to its heading.
  const go = (n: number) => {
    void saver.flush();
    flushSync(() => setSection(Math.max(0, Math.min(def.sections.length - 1, n))));
    headingRef.current?.focus();
  };

  const finish = useMutation({
    mutationFn: async (outcome: 'held' | 'refused') => {
      await saver.flush();
      return post<Conversation>(`${conversationPath(programmeId, conversation.id)}/finish`, { outcome });
    },
    onMutate: () => problem.clear(),
    onError: problem.setError,
    onSuccess: async (c) => {
      await qc.invalidateQueries({ queryKey: ['worklist', programmeId] });
      qc.removeQueries({ queryKey: ['outreach-conversations', programmeId, contactId] });
      if (c.contact.status === 'closed') {
        navigate(worklistUrl(search), {
          state: { notice: t('conversation.endedClosed', { ref: refOf('C', contactId), outcome: t(`closeOutcome.${c.contact.outcome}`) }) },
        });
        return;
      }
      navigate(referralUrl(contactId, search, c.id), { state: { outcome: c.status } });
    },
  });

  useShortcuts({ e: () => setEscalating(true) });

  const current = def.sections[section];
  const last = section === def.sections.length - 1;
  const errorOf = (id: string) => saver.fieldErrors[`answers.${id}`];
  return (
    <Stack gap="lg">
      <Group justify="space-between" wrap="wrap" align="flex-end">
        <Group gap="md" align="flex-end" wrap="wrap">
          <NativeSelect
            label={t('conversation.wording')}
            name="wording"
            value={lang}
            onChange={(e) => setLang(e.currentTarget.value)}
            data={langs.map((l) => ({ value: l, label: t(`conversation.lang.${l}`) }))}
            w={180}
          />
          <SaveStatus state={saver.state} />
        </Group>
        <Group gap="sm">
          <Button color="red.9" variant="outline" onClick={() => setEscalating(true)} aria-keyshortcuts="E">
            {t('conversation.escalate')}
          </Button>
          <Button color="gray.8" variant="outline" onClick={() => setRefusing(true)}>
            {t('conversation.refuse')}
          </Button>
        </Group>
      </Group>
      {saver.state.kind === 'error' ? <ProblemAlert error={saver.state.error} title={t('conversation.saveFailed')} /> : null}
      {raised.map((r, i) => (
        <RaisedAlert key={r.id} raised={r} ref={i === raised.length - 1 ? alertRef : undefined} />
      ))}
      <Box component="nav" aria-label={t('conversation.sections')}>
        <Group gap={6} component="ol" style={{ listStyle: 'none', padding: 0, margin: 0 }}>
          {def.sections.map((s, i) => (
            <li key={s.id}>
              <Button size="compact-sm" variant={i === section ? 'filled' : 'default'} aria-current={i === section ? 'step' : undefined} onClick={() => go(i)}>
                {/* One inline box: the button's label is a flex row, which would drop the space. */}
                <span>
                  {i + 1}. <span lang={lang}>{wording(s.title, lang)}</span>
                </span>
              </Button>
            </li>
          ))}
        </Group>
      </Box>
      {current ? (
        <Card withBorder padding="lg" component="section" aria-labelledby="section-heading" data-section={current.id}>
          <Stack gap="md">
            <div>
              <Text size="sm" c="dimmed">
                {t('conversation.sectionOf', { n: section + 1, total: def.sections.length })}
              </Text>
              <Title order={2} size="h3" id="section-heading" ref={headingRef} tabIndex={-1} className="page-title" lang={lang}>
                {wording(current.title, lang)}
              </Title>
            </div>
            {current.questions.map((q) => (
              <Question
                key={q.id}
                question={q}
                lang={lang}
                value={values[q.id]}
                error={errorOf(q.id)}
                onAnswer={(v, text) => answer(q.id, v, text)}
                onTextDone={() => void saver.flush()}
              />
            ))}
            <Group justify="space-between" wrap="wrap">
              <Button variant="default" onClick={() => go(section - 1)} disabled={section === 0}>
                {t('conversation.previous')}
              </Button>
              {last ? (
                <Button size="md" onClick={() => finish.mutate('held')} loading={finish.isPending && finish.variables === 'held'}>
                  {t('conversation.finishHeld')}
                </Button>
              ) : (
                <Button size="md" onClick={() => go(section + 1)}>
                  {t('conversation.next')}
                </Button>
              )}
            </Group>
          </Stack>
        </Card>
      ) : null}
      <ProblemAlert error={problem.error} />
      {escalating ? (
        <EscalateDialog
          programmeId={programmeId}
          contactId={contactId}
          conversationId={conversation.id}
          onClose={() => setEscalating(false)}
          onRaised={onRaised}
        />
      ) : null}
      <ConfirmDialog
        opened={refusing}
        title={t('conversation.refuseTitle')}
        confirmLabel={t('conversation.refuseConfirm')}
        busy={finish.isPending}
        error={problem.error}
        onConfirm={() => finish.mutate('refused')}
        onClose={() => setRefusing(false)}
      >
        {t('conversation.refuseText')}
      </ConfirmDialog>
    </Stack>
  );
}

/** Before the conversation: start it, or note at once that the person refuses. */
function StartBox({
  programmeId,
  contactId,
  search,
  again,
  onStarted,
}: {
  programmeId: string;
  contactId: string;
  search: string;
  /** a conversation was held before (a follow-up call) */
  again: boolean;
  onStarted: (c: Conversation) => void;
}) {
  const { t } = useTranslation('outreach');
  const location = useLocation();
  const navigate = useNavigate();
  const attemptId = (location.state as { attemptId?: string } | null)?.attemptId;
  const problem = useProblem();
  const start = useMutation({
    mutationFn: async (refuses: boolean) => {
      const c = await post<Conversation>(`${contactPath(programmeId, contactId)}/conversations`, attemptId ? { attemptId } : {});
      if (!refuses) return c;
      return post<Conversation>(`${conversationPath(programmeId, c.id)}/finish`, { outcome: 'refused' });
    },
    onMutate: () => problem.clear(),
    onError: problem.setError,
    onSuccess: (c) => {
      if (c.status === 'refused') navigate(referralUrl(contactId, search, c.id), { state: { outcome: 'refused' } });
      else onStarted(c);
    },
  });
  return (
    <Card withBorder padding="lg" component="section" aria-labelledby="start-heading">
      <Stack gap="md">
        <Title order={2} size="h3" id="start-heading">
          {again ? t('conversation.startAgainTitle') : t('conversation.startTitle')}
        </Title>
        <Text>{t('conversation.startIntro')}</Text>
        <ProblemAlert error={problem.error} />
        <Group gap="sm">
          <Button size="md" onClick={() => start.mutate(false)} loading={start.isPending && start.variables === false}>
            {t('conversation.start')}
          </Button>
          <Button size="md" variant="outline" color="gray.8" onClick={() => start.mutate(true)} loading={start.isPending && start.variables === true}>
            {t('conversation.refusesAtOnce')}
          </Button>
        </Group>
      </Stack>
    </Card>
  );
}

export function ConversationPage() {
  const { t, i18n } = useTranslation('outreach');
  const { contactId = '' } = useParams();
  const ctx = useProgrammeContext('outreach.work');
  const conversations = useConversations(ctx.programmeId, contactId);
  const [started, setStarted] = useState<Conversation | null>(null);
  const [closed, setClosed] = useState(false);
  const onContactClosed = useCallback(() => setClosed(true), []);
  const latest: ConversationRead | undefined = conversations.data?.items[0];
  const running: Conversation | null = started ?? (latest?.status === 'in_progress' ? latest : null);
  const scenario = useScenario(ctx.programmeId, running?.scenario.id ?? null, { once: true });
  const ref = refOf('C', contactId);
  const initial: Record<string, Answer> = running === latest && latest ? { ...latest.answers, ...latest.freeText } : (running?.answers ?? {});

  return (
    <Page
      title={t('conversation.title', { ref })}
      description={
        scenario.data ? t('conversation.intro', { title: wording(scenario.data.definition.title, i18n.language), version: scenario.data.version }) : undefined
      }
      actions={
        <KeyboardHelp
          shortcuts={[
            { keys: ['E'], label: t('keyboard.escalate') },
            { keys: ['←', '→'], label: t('keyboard.scale') },
          ]}
        />
      }
    >
      <Box>
        {closed ? (
          <Anchor component={Link} to={worklistUrl(ctx.search)} size="sm">
            {t('card.back')}
          </Anchor>
        ) : (
          <Anchor component={Link} to={cardUrl(contactId, ctx.search)} size="sm">
            {t('conversation.backToCard')}
          </Anchor>
        )}
      </Box>
      {ctx.programmeId ? null : ctx.picker}
      <ProblemAlert error={conversations.error ?? scenario.error} />
      {ctx.programmeId && (conversations.isPending || (running && scenario.isPending)) ? <Loader size="sm" aria-label={t('app:loading')} /> : null}
      {ctx.programmeId && conversations.data && !running ? (
        <>
          {latest ? (
            <Alert color="blue" variant="light" title={t('conversation.endedTitle')}>
              <Stack gap="sm">
                <Text size="sm" c="dark.9">
                  {t(`conversation.ended.${latest.status}`, { at: latest.endedAt ? formatDateTime(latest.endedAt) : '' })}
                </Text>
                <Group>
                  <Button component={Link} to={referralUrl(contactId, ctx.search, latest.id)}>
                    {t('conversation.toReferral')}
                  </Button>
                </Group>
              </Stack>
            </Alert>
          ) : null}
          <StartBox programmeId={ctx.programmeId} contactId={contactId} search={ctx.search} again={!!latest} onStarted={setStarted} />
        </>
      ) : null}
      {ctx.programmeId && running && scenario.data ? (
        <Guide
          key={running.id}
          programmeId={ctx.programmeId}
          contactId={contactId}
          search={ctx.search}
          conversation={running}
          initial={initial}
          scenario={scenario.data}
          autoFocus={running === started}
          onContactClosed={onContactClosed}
        />
      ) : null}
    </Page>
  );
}
