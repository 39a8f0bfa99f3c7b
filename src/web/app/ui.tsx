/** Small building blocks shared by every page: page title, problems, notices, confirmations, dates, the municipality filter. */
import { Alert, Box, Button, Group, Modal, NativeSelect, Pagination, Stack, Text, TextInput, type TextInputProps, Title } from '@mantine/core';
import { type ReactNode, useCallback, useEffect, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useLocation } from 'react-router';
import { ApiError, type ProblemBody } from './api.ts';

/**
 * A page: its <h1>, the document title, and — after a navigation, not on first load — focus on
 * the heading, so that a screen reader announces the new page and Tab starts from there.
 */
export function Page({ title, actions, children, description }: { title: string; actions?: ReactNode; children: ReactNode; description?: ReactNode }) {
  const { t } = useTranslation();
  const ref = useRef<HTMLHeadingElement>(null);
  // 'default' is the entry the browser loaded; any other came from a navigation inside the app.
  const { key } = useLocation();
  const arrivedByNavigation = useRef(key !== 'default');
  useEffect(() => {
    document.title = `${title} – ${t('common:appName')}`;
  }, [title, t]);
  useEffect(() => {
    if (arrivedByNavigation.current) ref.current?.focus({ preventScroll: false });
  }, []);
  return (
    <Stack gap="lg">
      <Group justify="space-between" align="flex-start" wrap="wrap" gap="sm">
        <Stack gap={4}>
          <Title order={1} ref={ref} tabIndex={-1} className="page-title">
            {title}
          </Title>
          {description ? <Text c="dimmed">{description}</Text> : null}
        </Stack>
        {actions ? <Group gap="sm">{actions}</Group> : null}
      </Group>
      {children}
    </Stack>
  );
}

/** A problem from the server (or the network), announced to screen readers. */
export function ProblemAlert({ error, title }: { error: unknown; title?: string }) {
  const { t } = useTranslation();
  if (!error) return null;
  const problem: Pick<ProblemBody, 'title' | 'detail'> =
    error instanceof ApiError ? error.problem : { title: t('app:problem.internal.title'), detail: t('app:problem.internal.detail') };
  return (
    <Alert role="alert" color="red" variant="light" title={title ?? problem.title} className="problem" tabIndex={-1}>
      {problem.detail}
    </Alert>
  );
}

/** A polite status message ("Saved."), announced once, dismissible. */
export function Notice({ children, onClose }: { children: ReactNode; onClose?: () => void }) {
  const { t } = useTranslation();
  if (!children) return null;
  return (
    <Alert
      role="status"
      color="teal"
      variant="light"
      withCloseButton={!!onClose}
      onClose={onClose}
      closeButtonLabel={t('app:action.dismiss')}
      className="notice"
    >
      {children}
    </Alert>
  );
}

/** Problem and per-field messages of the last failed submit. */
export function useProblem() {
  const [error, setError] = useState<unknown>(null);
  const fields = error instanceof ApiError ? error.fieldErrors() : {};
  // After a failed submit, focus goes to the first field in error, else to the message: the
  // submit button was disabled while busy, and a keyboard user must not be left on nothing.
  useEffect(() => {
    if (!error) return;
    const scope = document.querySelector('[role="dialog"]') ?? document.getElementById('main') ?? document;
    (scope.querySelector<HTMLElement>('[aria-invalid="true"]') ?? scope.querySelector<HTMLElement>('.problem'))?.focus();
  }, [error]);
  const clear = useCallback(() => setError(null), []);
  return { error, fields, setError, clear };
}

/**
 * A dialog opened for one thing (a project, a row…), mounted only while open: which thing, and —
 * as the dialog is gone once closed — focus put back on the control that opened it.
 */
export function useDialogFor<T>() {
  const [item, setItem] = useState<T | null>(null);
  const opener = useRef<HTMLElement | null>(null);
  const open = useCallback((value: T) => {
    opener.current = document.activeElement instanceof HTMLElement ? document.activeElement : null;
    setItem(value);
  }, []);
  const close = useCallback(() => {
    setItem(null);
    const el = opener.current;
    opener.current = null;
    if (el) setTimeout(() => el.isConnected && el.focus(), 0);
  }, []);
  return { item, open, close };
}

/**
 * A form in a dialog: the problem from the server on top, the fields, then Cancel and the submit
 * button. Focus is trapped inside (Mantine) and `data-autofocus` on a field takes it first.
 */
export function FormDialog({
  title,
  size = 'lg',
  error,
  busy,
  submitLabel,
  onSubmit,
  onClose,
  children,
}: {
  title: string;
  size?: 'lg' | 'xl';
  error: unknown;
  busy: boolean;
  submitLabel?: string;
  onSubmit: () => void;
  onClose: () => void;
  children: ReactNode;
}) {
  const { t } = useTranslation();
  return (
    <Modal opened onClose={onClose} title={title} size={size} closeButtonProps={{ 'aria-label': t('app:action.close') }}>
      <form
        onSubmit={(e) => {
          e.preventDefault();
          onSubmit();
        }}
        noValidate
        aria-label={title}
      >
        <Stack>
          <ProblemAlert error={error} />
          {children}
          <Group justify="flex-end">
            <Button variant="default" onClick={onClose}>
              {t('app:action.cancel')}
            </Button>
            <Button type="submit" loading={busy}>
              {submitLabel ?? t('app:action.save')}
            </Button>
          </Group>
        </Stack>
      </form>
    </Modal>
  );
}

/** A yes/no question in a dialog; focus is trapped inside and returns to the button after. */
export function ConfirmDialog({
  opened,
  title,
  children,
  confirmLabel,
  danger,
  busy,
  error,
  onConfirm,
  onClose,
}: {
  opened: boolean;
  title: string;
  children: ReactNode;
  confirmLabel: string;
  danger?: boolean;
  busy?: boolean;
  error?: unknown;
  onConfirm: () => void;
  onClose: () => void;
}) {
  const { t } = useTranslation();
  return (
    <Modal opened={opened} onClose={onClose} title={title} closeButtonProps={{ 'aria-label': t('app:action.close') }} centered>
      <Stack>
        <Text>{children}</Text>
        <ProblemAlert error={error} />
        <Group justify="flex-end">
          <Button variant="default" onClick={onClose}>
            {t('app:action.cancel')}
          </Button>
          <Button color={danger ? 'red.9' : undefined} loading={busy} onClick={onConfirm} data-autofocus>
            {confirmLabel}
          </Button>
        </Group>
      </Stack>
    </Modal>
  );
}

const DMY = /^(\d{1,2})\/(\d{1,2})\/(\d{4})$/;

/** 31/12/2024 → 2024-12-31; '' → ''; anything else → null. */
export function parseBelgianDate(text: string): string | null {
  const v = text.trim();
  if (!v) return '';
  const m = DMY.exec(v);
  if (!m) return null;
  const [, d = '', mo = '', y = ''] = m;
  const iso = `${y}-${mo.padStart(2, '0')}-${d.padStart(2, '0')}`;
  const date = new Date(`${iso}T12:00:00Z`);
  if (Number.isNaN(date.getTime()) || date.toISOString().slice(0, 10) !== iso) return null;
  return iso;
}

export function isoToBelgian(iso: string | null | undefined): string {
  if (!iso) return '';
  const [y, m, d] = iso.slice(0, 10).split('-');
  return `${d}/${m}/${y}`;
}

/**
 * A date typed as 31/12/2024 (the Belgian way, whatever the browser's language), handed on as
 * ISO (2024-12-31) or '' — a native date field would show the browser's own format instead.
 */
export function DateField({
  value,
  onChange,
  error,
  ...rest
}: Omit<TextInputProps, 'value' | 'onChange' | 'error'> & {
  /** ISO date, '' when empty, null while what is typed is not a date */
  value: string | null;
  onChange: (iso: string | null) => void;
  error?: ReactNode;
}) {
  const { t } = useTranslation();
  const [text, setText] = useState(isoToBelgian(value));
  const [invalid, setInvalid] = useState(false);
  useEffect(() => {
    if (value !== null) setText((prev) => (parseBelgianDate(prev) === value ? prev : isoToBelgian(value)));
  }, [value]);
  return (
    <TextInput
      {...rest}
      value={text}
      inputMode="numeric"
      autoComplete="off"
      placeholder={t('app:date.placeholder')}
      description={rest.description ?? t('app:date.hint')}
      onChange={(e) => {
        const v = e.currentTarget.value;
        setText(v);
        const iso = parseBelgianDate(v);
        if (iso !== null) setInvalid(false);
        onChange(iso);
      }}
      onBlur={() => setInvalid(parseBelgianDate(text) === null)}
      error={error ?? (invalid ? t('app:date.invalid') : undefined)}
    />
  );
}

/** "1–25 of 123" and page buttons, in a navigation landmark named for what it pages. */
export function Pager({
  page,
  pageSize,
  total,
  onChange,
  label,
}: {
  page: number;
  pageSize: number;
  total: number;
  onChange: (p: number) => void;
  label: string;
}) {
  const { t } = useTranslation();
  const pages = Math.max(1, Math.ceil(total / pageSize));
  const from = total === 0 ? 0 : (page - 1) * pageSize + 1;
  const to = Math.min(total, page * pageSize);
  return (
    <Group justify="space-between" wrap="wrap">
      <Text size="sm" aria-live="polite">
        {t('app:pager.range', { from, to, total })}
      </Text>
      {pages > 1 ? (
        <Box component="nav" aria-label={label}>
          <Pagination
            total={pages}
            value={Math.min(page, pages)}
            onChange={onChange}
            withEdges
            getItemProps={(p) => ({ 'aria-label': t('app:pager.page', { page: p }), 'aria-current': p === page ? 'page' : undefined })}
            getControlProps={(c) => ({ 'aria-label': t(`app:pager.${c}`) })}
          />
        </Box>
      ) : null}
    </Group>
  );
}

/** Active or not, in words (never colour alone). */
export function StatusText({ active }: { active: boolean }) {
  const { t } = useTranslation();
  return (
    <Text size="sm" fw={active ? 400 : 700} className="nowrap">
      <span aria-hidden="true">{active ? '● ' : '○ '}</span>
      {active ? t('app:status.active') : t('app:status.inactive')}
    </Text>
  );
}

/**
 * The municipality filter of a list: every municipality of the project by name, after an "all"
 * option whose value is ''. `value` and `onChange` carry the NIS code.
 */
export function MunicipalitySelect({
  label,
  allLabel,
  municipalities,
  value,
  onChange,
  name = 'nisCode',
  error,
  w = 220,
}: {
  label: string;
  allLabel: string;
  municipalities: readonly { nisCode: string; name: string }[];
  value: string;
  onChange: (nisCode: string) => void;
  name?: string;
  error?: ReactNode;
  w?: number;
}) {
  return (
    <NativeSelect
      label={label}
      name={name}
      value={value}
      onChange={(e) => onChange(e.currentTarget.value)}
      data={[{ value: '', label: allLabel }, ...municipalities.map((m) => ({ value: m.nisCode, label: m.name }))]}
      error={error}
      w={w}
    />
  );
}
