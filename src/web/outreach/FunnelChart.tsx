/**
 * The funnel as a horizontal bar chart: inline SVG (no chart library), each bar scaled to the
 * contacts received, its label above it and its count beside it. One image for assistive
 * technology (role="img", named and described); the table of the page gives the same figures.
 */
import { useId } from 'react';
import { useTranslation } from 'react-i18next';
import { type Funnel, type FunnelLine, lineLabel, NS } from './outreach-admin.ts';

/** The lines drawn, with their depth in the funnel. */
const DRAWN: [FunnelLine, number][] = [
  ['received', 0],
  ['not_informed', 1],
  ['unreachable', 1],
  ['reached', 1],
  ['refused', 2],
  ['conversation_held', 2],
  ['referred', 3],
  ['taken_up', 4],
  ['reached_other', 2],
  ['closed_other', 1],
  ['open', 1],
  ['escalated', 0],
];

const WIDTH = 760;
const ROW = 44;
const INDENT = 18;
const COUNT_SPACE = 70;
/** Dark enough against white for text and for a bar (non-text contrast 3:1). */
const BAR = '#1c5d99';
const BAR_ACROSS = '#a33a0b';

export function FunnelChart({ funnel }: { funnel: Funnel }) {
  const { t } = useTranslation(NS);
  const id = useId();
  const count = (l: FunnelLine) => funnel.lines.find((x) => x.line === l && x.kind === null)?.count ?? 0;
  const received = count('received');
  const height = DRAWN.length * ROW + 8;
  const summary = DRAWN.map(([l]) => `${lineLabel(t, l, funnel.maxAttempts)}: ${count(l)}`).join('; ');
  return (
    <svg
      role="img"
      aria-labelledby={`${id}-title ${id}-desc`}
      viewBox={`0 0 ${WIDTH} ${height}`}
      width="100%"
      style={{ maxWidth: WIDTH, display: 'block' }}
      data-testid="funnel-chart"
    >
      <title id={`${id}-title`}>{t('funnel.chart.title')}</title>
      <desc id={`${id}-desc`}>{t('funnel.chart.desc', { summary })}</desc>
      {DRAWN.map(([line, depth], i) => {
        const n = count(line);
        const x = depth * INDENT;
        const room = WIDTH - x - COUNT_SPACE;
        const w = received ? Math.max(n > 0 ? 2 : 0, Math.round((n / received) * room)) : 0;
        const y = i * ROW + 4;
        return (
          <g key={line}>
            <text x={x} y={y + 13} fontSize={13} fill="#1a1b1e">
              {lineLabel(t, line, funnel.maxAttempts)}
            </text>
            <rect x={x} y={y + 19} width={w} height={16} rx={2} fill={line === 'escalated' ? BAR_ACROSS : BAR} />
            <text x={x + w + 6} y={y + 32} fontSize={13} fontWeight={700} fill="#1a1b1e">
              {n}
            </text>
          </g>
        );
      })}
    </svg>
  );
}
