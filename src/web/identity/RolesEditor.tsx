import { Button, Group, NativeSelect, Stack, Text } from '@mantine/core';
import { useTranslation } from 'react-i18next';
import { GLOBAL_ROLES, ROLES, type Role } from '../../kernel/authz/permissions.ts';
import { roleLabel } from '../app/labels.ts';
import type { Programme } from '../app/types.ts';

export interface GrantDraft {
  role: Role;
  /** '' until chosen; ignored for a global role */
  programmeId: string;
}

export const isGlobal = (role: Role) => GLOBAL_ROLES.includes(role);

export function toGrants(drafts: GrantDraft[]) {
  return drafts.map((d) => ({ role: d.role, programmeId: isGlobal(d.role) ? null : d.programmeId || null }));
}

/**
 * Roles, one a line: a role and, unless the role holds everywhere, the programme it holds in.
 * Errors from the server come as `roles.<i>.programmeId` and land under their line.
 */
export function RolesEditor({
  value,
  onChange,
  programmes,
  errors,
  idPrefix,
  labelledBy,
}: {
  value: GrantDraft[];
  onChange: (v: GrantDraft[]) => void;
  programmes: Programme[];
  errors: Record<string, string>;
  idPrefix: string;
  /** id of a heading that names the list already; else the list shows its own title */
  labelledBy?: string;
}) {
  const { t } = useTranslation('identity');
  const update = (i: number, patch: Partial<GrantDraft>) => onChange(value.map((g, j) => (j === i ? { ...g, ...patch } : g)));
  const programmeOptions = [
    { value: '', label: t('roles.chooseProgramme') },
    ...programmes.map((p) => ({ value: p.id, label: `${p.name} (${p.projectName})` })),
  ];
  return (
    <Stack gap="sm" role="group" aria-labelledby={labelledBy ?? `${idPrefix}-roles-label`}>
      {labelledBy ? null : (
        <Text fw={600} id={`${idPrefix}-roles-label`}>
          {t('roles.title')}
        </Text>
      )}
      {value.length === 0 ? <Text size="sm">{t('roles.none')}</Text> : null}
      {value.map((g, i) => (
        // biome-ignore lint/suspicious/noArrayIndexKey: lines have no identity of their own
        <Group key={i} align="flex-start" wrap="wrap" gap="sm">
          <NativeSelect
            id={`${idPrefix}-role-${i}`}
            label={t('roles.role', { n: i + 1 })}
            value={g.role}
            data={ROLES.map((r) => ({ value: r, label: roleLabel(t, r) }))}
            onChange={(e) => update(i, { role: e.currentTarget.value as Role })}
            error={errors[`roles.${i}.role`]}
            w={200}
          />
          {isGlobal(g.role) ? (
            <Text size="sm" mt={30} w={380}>
              {t('roles.everywhere')}
            </Text>
          ) : (
            <NativeSelect
              id={`${idPrefix}-programme-${i}`}
              label={t('roles.programme', { n: i + 1 })}
              value={g.programmeId}
              data={programmeOptions}
              onChange={(e) => update(i, { programmeId: e.currentTarget.value })}
              error={errors[`roles.${i}.programmeId`]}
              w={380}
            />
          )}
          <Button variant="default" mt={25} onClick={() => onChange(value.filter((_, j) => j !== i))}>
            {t('roles.remove', { n: i + 1 })}
          </Button>
        </Group>
      ))}
      {errors.roles ? (
        <Text c="red.8" size="sm" role="alert">
          {errors.roles}
        </Text>
      ) : null}
      <Group>
        <Button variant="default" onClick={() => onChange([...value, { role: 'caller', programmeId: '' }])}>
          {t('roles.add')}
        </Button>
      </Group>
    </Stack>
  );
}
