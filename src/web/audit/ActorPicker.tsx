/**
 * "Who" in the audit filters: type part of a name or e-mail address, pick the person. The server
 * searches (20 at a time, after a short pause in typing), so it works with thousands of users.
 */
import { type ComboboxItem, Loader, Select, Text, VisuallyHidden } from '@mantine/core';
import { useDebouncedValue } from '@mantine/hooks';
import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { get, queryString } from '../app/api.ts';
import type { Paged, User } from '../app/types.ts';

const PAGE_SIZE = 20;
const DEBOUNCE_MS = 250;

interface Option extends ComboboxItem {
  email: string;
  active: boolean;
}

const toOption = (u: User): Option => ({ value: u.id, label: u.displayName, email: u.email, active: u.active });

export function ActorPicker({ value, onChange, w }: { value: string; onChange: (userId: string) => void; w?: number }) {
  const { t } = useTranslation('audit');
  const [search, setSearch] = useState('');
  const [open, setOpen] = useState(false);
  // The person picked (or named in the address) stays an option whatever the search finds.
  const [picked, setPicked] = useState<Option | null>(null);
  const [debounced] = useDebouncedValue(search.trim(), DEBOUNCE_MS);
  // Once someone is picked the field shows their name: that is no search.
  const q = picked && debounced === picked.label ? '' : debounced;

  const results = useQuery({
    queryKey: ['users', 'actor-search', q],
    queryFn: () => get<Paged<User>>(`/api/users${queryString({ q, pageSize: PAGE_SIZE })}`),
    enabled: open,
    placeholderData: keepPreviousData,
    staleTime: 30_000,
  });
  // A filter opened from an address (?actorUserId=…): ask for that person's name once.
  const named = useQuery({
    queryKey: ['users', value],
    queryFn: () => get<User>(`/api/users/${value}`),
    enabled: !!value && picked?.value !== value,
    retry: false,
  });
  const current = picked?.value === value ? picked : named.data?.id === value ? toOption(named.data) : null;

  const options: Option[] = (results.data?.items ?? []).map(toOption);
  if (current && !options.some((o) => o.value === current.value)) options.unshift(current);
  const settled = open && !!results.data && !results.isFetching && debounced === search.trim();
  const found = results.data?.items.length ?? 0;
  const more = (results.data?.total ?? 0) > found;

  return (
    <>
      <Select
        label={t('filters.actor')}
        description={t('filters.actorHint')}
        placeholder={t('filters.anyone')}
        name="actorUserId"
        w={w}
        searchable
        clearable
        clearButtonProps={{ 'aria-label': t('filters.actorClear') }}
        data={options}
        value={value || null}
        onChange={(id, option) => {
          setPicked(option ? (options.find((o) => o.value === id) ?? null) : null);
          onChange(id ?? '');
        }}
        searchValue={search}
        onSearchChange={setSearch}
        // The server has searched names and e-mail addresses already: show what it found as it is.
        filter={({ options: all }) => all}
        onDropdownOpen={() => setOpen(true)}
        onDropdownClose={() => setOpen(false)}
        nothingFoundMessage={results.isFetching || debounced !== search.trim() ? t('filters.searching') : t('filters.nobodyFound')}
        rightSection={open && results.isFetching ? <Loader size={14} aria-hidden="true" /> : undefined}
        maxDropdownHeight={320}
        renderOption={({ option }) => {
          const o = option as Option;
          return (
            <div>
              <Text size="sm">{o.label}</Text>
              <Text size="xs" c="dimmed">
                {o.email}
                {o.active ? '' : ` · ${t('app:status.inactive')}`}
              </Text>
            </div>
          );
        }}
        autoComplete="off"
      />
      <VisuallyHidden role="status" aria-live="polite">
        {settled ? (found === 0 ? t('filters.nobodyFound') : more ? t('filters.foundMore', { count: found }) : t('filters.found', { count: found })) : ''}
      </VisuallyHidden>
    </>
  );
}
