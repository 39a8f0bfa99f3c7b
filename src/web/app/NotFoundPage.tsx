import { Button, Group, Text } from '@mantine/core';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import { useSession } from './session.tsx';
import { Page } from './ui.tsx';

export function NotFoundPage() {
  const { t } = useTranslation();
  const { session } = useSession();
  const signedIn = session?.state === 'active';
  return (
    <Page title={t('app:notFound.title')}>
      <Text>{t('app:notFound.text')}</Text>
      <Group>
        <Button component={Link} to={signedIn ? '/' : '/login'}>
          {signedIn ? t('app:notFound.home') : t('app:notFound.login')}
        </Button>
      </Group>
    </Page>
  );
}

export function ForbiddenPage() {
  const { t } = useTranslation();
  return (
    <Page title={t('app:forbidden.title')}>
      <Text>{t('app:forbidden.text')}</Text>
      <Group>
        <Button component={Link} to="/">
          {t('app:notFound.home')}
        </Button>
      </Group>
    </Page>
  );
}
