/**
 * The programme a referrals page works in. Imports, dossiers and protocols belong to one
 * programme; a page offers the programmes where the user holds its permission (police referrals
 * are the outreach pillar, so outreach programmes only), keeps the choice in the address
 * (`?programme=<id>`, so that a link or a reload lands in the same place), remembers the last one
 * for the next page, and chooses by itself when there is only one.
 */
import { Loader, NativeSelect, Text } from '@mantine/core';
import { type ReactNode, useEffect } from 'react';
import { useTranslation } from 'react-i18next';
import { useSearchParams } from 'react-router';
import { type Permission, scopeOf } from '../../kernel/authz/permissions.ts';
import { useSession } from '../app/session.tsx';
import type { Programme } from '../app/types.ts';
import { ProblemAlert } from '../app/ui.tsx';
import { useProgrammes } from '../organisations/queries.ts';

export const PROGRAMME_PARAM = 'programme';
const LAST_KEY = 'haven.referrals.programme';

function lastProgramme(): string | null {
  try {
    return sessionStorage.getItem(LAST_KEY);
  } catch {
    return null;
  }
}

function rememberProgramme(id: string): void {
  try {
    sessionStorage.setItem(LAST_KEY, id);
  } catch {
    // no storage: the address still holds the choice
  }
}

/** The outreach programmes where the signed-in user holds `permission`. */
export function useReferralProgrammes(permission: Permission) {
  const { session, can } = useSession();
  const programmes = useProgrammes(can('programmes.read'));
  const scope = scopeOf(session?.grants ?? [], permission);
  const items = (programmes.data?.items ?? []).filter(
    (p) => p.kind === 'outreach' && (scope.kind === 'all' || (scope.kind === 'programmes' && scope.ids.includes(p.id))),
  );
  return { items, isPending: programmes.isPending && can('programmes.read'), error: programmes.error };
}

export interface ProgrammeContext {
  /** The chosen programme, or null while none is (or can be) chosen. */
  programmeId: string | null;
  programme: Programme | null;
  programmes: Programme[];
  /** The select (or, with one programme, its name), the loader, or the reason there is none. */
  picker: ReactNode;
  /** `?programme=<id>` for links to other referrals pages. */
  search: string;
}

/** The programme of the page, from `?programme=`, for a page that needs `permission`. */
export function useProgrammeContext(permission: Permission): ProgrammeContext {
  const { t } = useTranslation('intake');
  const [params, setParams] = useSearchParams();
  const { items, isPending, error } = useReferralProgrammes(permission);
  const wanted = params.get(PROGRAMME_PARAM);
  const programme = items.find((p) => p.id === wanted) ?? null;

  // Nothing (or something not offered) in the address: the only programme, else the last one used.
  useEffect(() => {
    if (isPending || programme) return;
    const last = lastProgramme();
    const fallback = items.length === 1 ? items[0] : items.find((p) => p.id === last);
    if (!fallback) return;
    setParams(
      (p) => {
        const n = new URLSearchParams(p);
        n.set(PROGRAMME_PARAM, fallback.id);
        return n;
      },
      { replace: true },
    );
  }, [isPending, programme, items, setParams]);

  useEffect(() => {
    if (programme) rememberProgramme(programme.id);
  }, [programme]);

  // Another programme starts the page afresh: its filters and page number belonged to the other.
  const choose = (id: string) => setParams(id ? { [PROGRAMME_PARAM]: id } : {});

  let picker: ReactNode;
  if (isPending) picker = <Loader size="sm" aria-label={t('app:loading')} />;
  else if (error) picker = <ProblemAlert error={error} />;
  else if (items.length === 0) picker = <Text>{t('programme.none')}</Text>;
  else if (items.length === 1 && programme)
    picker = (
      <Text size="sm" data-testid="programme-name">
        {t('programme.only', { name: programme.name, project: programme.projectName })}
      </Text>
    );
  else
    picker = (
      <NativeSelect
        label={t('programme.label')}
        name="programme"
        value={programme?.id ?? ''}
        onChange={(e) => choose(e.currentTarget.value)}
        data={[
          ...(programme ? [] : [{ value: '', label: t('programme.choose') }]),
          ...items.map((p) => ({ value: p.id, label: t('programme.option', { name: p.name, project: p.projectName }) })),
        ]}
        w={360}
      />
    );

  return { programmeId: programme?.id ?? null, programme, programmes: items, picker, search: programme ? `?${PROGRAMME_PARAM}=${programme.id}` : '' };
}

/** The picker on its own, for a page that reads the programme elsewhere. */
export function ProgrammePicker({ permission }: { permission: Permission }) {
  return <>{useProgrammeContext(permission).picker}</>;
}
