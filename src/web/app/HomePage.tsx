import { Alert, Badge, Card, Group, Loader, SimpleGrid, Stack, Text, Title } from '@mantine/core';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import { useProgrammes } from '../organisations/queries.ts';
import { programmeKindLabel, roleLabel } from './labels.ts';
import { useSession } from './session.tsx';
import { Page, ProblemAlert } from './ui.tsx';

export function HomePage() {
  const { t } = useTranslation();
  const { session, can } = useSession();
  const programmes = useProgrammes(can('programmes.read'));
  const grants = session?.grants ?? [];
  const globalRoles = grants.filter((g) => g.programmeId === null).map((g) => roleLabel(t, g.role));
  const rolesIn = (id: string) => grants.filter((g) => g.programmeId === id).map((g) => g.role);

  return (
    <Page title={t('app:home.title', { name: session?.user.displayName ?? '' })}>
      {session && !session.user.mfaEnabled ? (
        <Alert color="yellow" variant="light" title={t('app:home.noMfaTitle')}>
          <Text size="sm">
            {t('app:home.noMfaText')} <Link to="/enrol">{t('app:home.noMfaLink')}</Link>
          </Text>
        </Alert>
      ) : null}
      {globalRoles.length ? <Text>{t('app:home.globalRoles', { roles: globalRoles.join(', ') })}</Text> : null}
      <Stack gap="sm">
        <Title order={2}>{t('app:home.myProgrammes')}</Title>
        {!can('programmes.read') ? <Text>{t('app:home.noRoles')}</Text> : null}
        {programmes.isPending && can('programmes.read') ? <Loader size="sm" aria-label={t('app:loading')} /> : null}
        <ProblemAlert error={programmes.error} />
        {programmes.data && programmes.data.items.length === 0 ? <Text>{t('app:home.noProgrammes')}</Text> : null}
        {programmes.data?.items.length ? (
          <SimpleGrid cols={{ base: 1, sm: 2, lg: 3 }} component="ul" className="nav-list" aria-label={t('app:home.myProgrammes')}>
            {programmes.data.items.map((p) => {
              const roles = rolesIn(p.id);
              return (
                <Card key={p.id} withBorder component="li" padding="md">
                  <Stack gap={6}>
                    <Title order={3} size="h4">
                      {p.name}
                    </Title>
                    <Text size="sm" c="dimmed">
                      {t('app:home.inProject', { project: p.projectName })} · {programmeKindLabel(t, p.kind)}
                    </Text>
                    <Group gap={6}>
                      <Text size="sm">{t('app:home.yourRoles')}:</Text>
                      {roles.length ? (
                        roles.map((r) => <Badge key={r}>{roleLabel(t, r)}</Badge>)
                      ) : (
                        <Text size="sm">{globalRoles.length ? globalRoles.join(', ') : '—'}</Text>
                      )}
                    </Group>
                  </Stack>
                </Card>
              );
            })}
          </SimpleGrid>
        ) : null}
      </Stack>
    </Page>
  );
}
