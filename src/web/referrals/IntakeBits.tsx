/** Small pieces shared by the intake pages: status and colour badges, the progress of a file being read. */
import { Badge, Group, Progress, Stack, Text } from '@mantine/core';
import { useTranslation } from 'react-i18next';
import { type Colour, colourLabel, type ImportStatus, statusLabel } from './intake.ts';

/** Dark enough for small text on white (WCAG AA, 4.5:1): Mantine's orange is not. */
const DARK_ORANGE = '#a33a0b';
const DARK_GREEN = '#1e6b2f';

const STATUS_COLOURS: Record<ImportStatus, string> = {
  awaiting_file: 'gray.8',
  parsing: 'blue.9',
  previewed: DARK_ORANGE,
  committed: 'teal.9',
  refused: 'red.9',
  failed: 'red.9',
  discarded: 'gray.8',
};

/** The status of an import, in words. */
export function ImportStatusBadge({ status }: { status: ImportStatus }) {
  const { t } = useTranslation('intake');
  return (
    <Badge color={STATUS_COLOURS[status] ?? 'gray.8'} size="md" className="nowrap" data-status={status}>
      {statusLabel(t, status)}
    </Badge>
  );
}

const COLOUR_SWATCH: Record<Colour, string> = { green: '#2b8a3e', orange: '#d9480f', red: '#c92a2a' };
const COLOUR_TEXT: Record<Colour, string> = { green: DARK_GREEN, orange: DARK_ORANGE, red: 'red.9' };

/** A dossier's colour code: a swatch for the eye, and always its name (never colour alone). */
export function ColourBadge({ colour }: { colour: Colour }) {
  const { t } = useTranslation('intake');
  return (
    <Badge
      color={COLOUR_TEXT[colour]}
      size="md"
      className="nowrap"
      data-colour={colour}
      leftSection={<span aria-hidden="true" style={{ display: 'inline-block', width: 10, height: 10, borderRadius: 5, background: COLOUR_SWATCH[colour] }} />}
    >
      {colourLabel(t, colour)}
    </Badge>
  );
}

/**
 * A file being read: the number of rows grows as the server reads them (the total is not known
 * before the end), so the bar moves without a percentage and the words say how far it is.
 */
export function ReadingProgress({ rowsRead, label }: { rowsRead: number; label: string }) {
  const { t } = useTranslation('intake');
  const text = t('progress.rowsRead', { n: rowsRead });
  return (
    <Stack gap={4}>
      <Progress.Root size="lg">
        <Progress.Section value={100} animated withAria={false} role="progressbar" aria-label={label} aria-valuetext={text} />
      </Progress.Root>
      <Group gap="xs">
        <Text size="sm" aria-live="polite" data-testid="rows-read">
          {text}
        </Text>
      </Group>
    </Stack>
  );
}

/** A known amount done (an upload): a bar with its percentage, in words too. */
export function PercentProgress({ value, label, detail }: { value: number; label: string; detail: string }) {
  const percent = Math.max(0, Math.min(100, Math.round(value)));
  return (
    <Stack gap={4}>
      <Progress.Root size="lg">
        <Progress.Section
          value={percent}
          withAria={false}
          role="progressbar"
          aria-label={label}
          aria-valuemin={0}
          aria-valuemax={100}
          aria-valuenow={percent}
          aria-valuetext={detail}
        />
      </Progress.Root>
      <Text size="sm" aria-live="polite" data-testid="upload-progress">
        {detail}
      </Text>
    </Stack>
  );
}
