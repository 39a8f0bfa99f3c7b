/**
 * The keyboard of the callers' screens: single-key shortcuts (N for the next contact, 1–8 for the
 * outcome of a call, E to escalate, ? for this help), never while typing in a field or while a
 * dialog is open, and a small "Keyboard" help listing the shortcuts of the screen. Everything a
 * shortcut does is also a button or a field reachable with Tab.
 */
import { Button, Kbd, Modal, Stack, Table, Text, VisuallyHidden } from '@mantine/core';
import { useEffect, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';

const TEXT_INPUTS = new Set(['text', 'search', 'email', 'tel', 'url', 'number', 'password', 'date', 'time', 'datetime-local', 'month', 'week']);

/** True when a key typed here is text, not a command. */
function typingIn(target: EventTarget | null): boolean {
  if (!(target instanceof HTMLElement)) return false;
  if (target.isContentEditable) return true;
  if (target instanceof HTMLTextAreaElement || target instanceof HTMLSelectElement) return true;
  return target instanceof HTMLInputElement && TEXT_INPUTS.has(target.type);
}

/**
 * Runs `handlers[key]` for a key pressed on the page (letters lower-cased; '?' as typed). Keys with
 * Ctrl, Alt or Meta, keys typed in a field, and keys pressed while a dialog is open are left alone.
 */
export function useShortcuts(handlers: Record<string, () => void>, enabled = true): void {
  const ref = useRef(handlers);
  ref.current = handlers;
  useEffect(() => {
    if (!enabled) return;
    const onKey = (e: KeyboardEvent) => {
      if (e.defaultPrevented || e.ctrlKey || e.altKey || e.metaKey || e.repeat) return;
      if (typingIn(e.target)) return;
      if (document.querySelector('[role="dialog"]')) return;
      const key = e.key.length === 1 ? e.key.toLowerCase() : e.key;
      const fn = ref.current[key];
      if (!fn) return;
      e.preventDefault();
      fn();
    };
    document.addEventListener('keydown', onKey);
    return () => document.removeEventListener('keydown', onKey);
  }, [enabled]);
}

export interface Shortcut {
  /** The keys, as shown: "N", "1–8", "?" */
  keys: string[];
  label: string;
}

/** The "Keyboard" button and its dialog, opened with ? too. */
export function KeyboardHelp({ shortcuts }: { shortcuts: Shortcut[] }) {
  const { t } = useTranslation('outreach');
  const [opened, setOpened] = useState(false);
  useShortcuts({ '?': () => setOpened(true) });
  const all: Shortcut[] = [
    ...shortcuts,
    { keys: ['Tab', 'Shift+Tab'], label: t('keyboard.tab') },
    { keys: ['Space'], label: t('keyboard.space') },
    { keys: ['↑', '↓'], label: t('keyboard.arrows') },
    { keys: ['Enter'], label: t('keyboard.enter') },
    { keys: ['Esc'], label: t('keyboard.escape') },
    { keys: ['?'], label: t('keyboard.help') },
  ];
  return (
    <>
      <Button variant="default" size="sm" onClick={() => setOpened(true)} aria-keyshortcuts="?" data-testid="keyboard-help">
        {t('keyboard.button')}
        <VisuallyHidden> ({t('keyboard.buttonHint')})</VisuallyHidden>
      </Button>
      <Modal opened={opened} onClose={() => setOpened(false)} title={t('keyboard.title')} closeButtonProps={{ 'aria-label': t('app:action.close') }}>
        <Stack gap="sm">
          <Text size="sm">{t('keyboard.intro')}</Text>
          <Table verticalSpacing={6}>
            <Table.Caption>
              <VisuallyHidden>{t('keyboard.title')}</VisuallyHidden>
            </Table.Caption>
            <Table.Thead>
              <Table.Tr>
                <Table.Th scope="col">{t('keyboard.key')}</Table.Th>
                <Table.Th scope="col">{t('keyboard.does')}</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {all.map((s) => (
                <Table.Tr key={s.label}>
                  <Table.Td className="nowrap">
                    {s.keys.map((k, i) => (
                      <span key={k}>
                        {i > 0 ? ' / ' : null}
                        <Kbd>{k}</Kbd>
                      </span>
                    ))}
                  </Table.Td>
                  <Table.Td>{s.label}</Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        </Stack>
      </Modal>
    </>
  );
}
