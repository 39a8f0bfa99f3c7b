import { AppShell, Badge, Box, Burger, Button, Center, Container, Group, NavLink, Stack, Text, VisuallyHidden } from '@mantine/core';
import { useDisclosure } from '@mantine/hooks';
import type { ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, Outlet, useLocation } from 'react-router';
import type { Permission } from '../../kernel/authz/permissions.ts';
import { useOpenEscalationCount } from '../outreach/outreach-admin.ts';
import { LanguageSwitcher } from './LanguageSwitcher.tsx';
import { useSession } from './session.tsx';

interface NavItem {
  to: string;
  label: string;
  permission?: Permission;
  /** Beside the label, part of the link's name (a count, with words for screen readers). */
  badge?: ReactNode;
  /** When the link is the current page, if not `to` and the pages under it. */
  match?: (pathname: string) => boolean;
}

/** The open escalations, asked again every minute: the coordinator sees a new one at once. */
function OpenEscalationsBadge() {
  const { t } = useTranslation();
  const open = useOpenEscalationCount();
  if (!open) return null;
  return (
    <Badge color="red.9" variant="filled" size="sm" data-testid="open-escalations-badge">
      {open}
      <VisuallyHidden> {t('outreachAdmin:nav.open')}</VisuallyHidden>
    </Badge>
  );
}

function SkipLink() {
  const { t } = useTranslation();
  return (
    <a className="skip-link" href="#main">
      {t('app:skipToContent')}
    </a>
  );
}

function Brand() {
  const { t } = useTranslation();
  return (
    <Link to="/" className="brand">
      {t('common:appName')}
    </Link>
  );
}

/** The signed-in frame: header (name, user, language, sign out), navigation by permission, main. */
export function Shell({ children }: { children?: ReactNode }) {
  const { t } = useTranslation();
  const { session, can, signOut } = useSession();
  const { pathname } = useLocation();
  const [opened, { toggle, close }] = useDisclosure(false);

  const sections: { title: string | null; items: NavItem[] }[] = [
    { title: null, items: [{ to: '/', label: t('app:nav.home') }] },
    {
      title: t('intake:nav.section'),
      items: [
        { to: '/referrals/imports', label: t('intake:nav.imports'), permission: 'imports.read' },
        { to: '/referrals/dossiers', label: t('intake:nav.dossiers'), permission: 'dossiers.read' },
        { to: '/referrals/protocols', label: t('app:nav.protocols'), permission: 'protocols.read' },
      ],
    },
    {
      title: t('outreachAdmin:nav.section'),
      items: [
        {
          to: '/outreach',
          label: t('outreach:nav.worklist'),
          permission: 'outreach.work',
          match: (p) => p === '/outreach' || p.startsWith('/outreach/contacts/'),
        },
        { to: '/outreach/funnel', label: t('outreachAdmin:nav.funnel'), permission: 'reports.read' },
        { to: '/outreach/escalations', label: t('outreachAdmin:nav.escalations'), permission: 'escalations.read', badge: <OpenEscalationsBadge /> },
        { to: '/outreach/assign', label: t('outreachAdmin:nav.assign'), permission: 'outreach.manage' },
        { to: '/outreach/scenarios', label: t('outreachAdmin:nav.scenarios'), permission: 'scenarios.manage' },
        { to: '/outreach/services', label: t('outreachAdmin:nav.services'), permission: 'services.read' },
        { to: '/outreach/settings', label: t('outreachAdmin:nav.settings'), permission: 'outreach.manage' },
      ],
    },
    {
      title: t('app:nav.administration'),
      items: [
        { to: '/admin/users', label: t('app:nav.users'), permission: 'users.read' },
        { to: '/admin/organisations', label: t('app:nav.organisations'), permission: 'organisations.read' },
        { to: '/admin/projects', label: t('app:nav.projects'), permission: 'projects.read' },
        { to: '/audit', label: t('app:nav.audit'), permission: 'audit.read' },
      ],
    },
    { title: t('app:nav.you'), items: [{ to: '/profile', label: t('app:nav.profile') }] },
  ];

  const isActive = (to: string) => (to === '/' ? pathname === '/' : pathname === to || pathname.startsWith(`${to}/`));

  return (
    <AppShell header={{ height: 64 }} navbar={{ width: 250, breakpoint: 'sm', collapsed: { mobile: !opened } }} padding="lg">
      <SkipLink />
      <AppShell.Header>
        <Group h="100%" px="md" justify="space-between" wrap="nowrap">
          <Group gap="sm" wrap="nowrap">
            <Burger
              opened={opened}
              onClick={toggle}
              hiddenFrom="sm"
              size="sm"
              aria-label={opened ? t('app:nav.closeMenu') : t('app:nav.openMenu')}
              aria-expanded={opened}
              aria-controls="main-navigation"
            />
            <Brand />
          </Group>
          <Group gap="md" wrap="nowrap">
            <Stack gap={0} align="flex-end" visibleFrom="xs">
              <Text size="sm" data-testid="current-user">
                <VisuallyHidden>{t('app:signedInAs')} </VisuallyHidden>
                {session?.user.displayName}
              </Text>
              {session?.user.organisationName ? (
                <Text size="xs" c="dimmed" data-testid="current-organisation">
                  <VisuallyHidden>{t('app:ofOrganisation')} </VisuallyHidden>
                  {session.user.organisationName}
                </Text>
              ) : null}
            </Stack>
            <LanguageSwitcher />
            <Button variant="default" size="xs" onClick={() => void signOut()}>
              {t('app:signOut')}
            </Button>
          </Group>
        </Group>
      </AppShell.Header>
      <AppShell.Navbar p="sm" component="nav" id="main-navigation" aria-label={t('app:nav.label')}>
        <Stack gap="md">
          {sections.map((section) => {
            const items = section.items.filter((i) => !i.permission || can(i.permission));
            if (!items.length) return null;
            return (
              <Box key={section.title ?? 'main'}>
                {section.title ? (
                  <Text size="xs" fw={700} tt="uppercase" c="dimmed" px="sm" mb={4} component="h2">
                    {section.title}
                  </Text>
                ) : null}
                <ul className="nav-list">
                  {items.map((i) => (
                    <li key={i.to}>
                      <NavLink
                        component={Link}
                        to={i.to}
                        label={i.label}
                        rightSection={i.badge}
                        active={i.match ? i.match(pathname) : isActive(i.to)}
                        aria-current={(i.match ? i.match(pathname) : isActive(i.to)) ? 'page' : undefined}
                        onClick={close}
                        variant="light"
                      />
                    </li>
                  ))}
                </ul>
              </Box>
            );
          })}
        </Stack>
      </AppShell.Navbar>
      <AppShell.Main id="main" tabIndex={-1}>
        <Container size="xl" px={0}>
          {children ?? <Outlet />}
        </Container>
      </AppShell.Main>
    </AppShell>
  );
}

/** The frame before sign-in: name, language, one centred card. */
export function AuthLayout({ children }: { children?: ReactNode }) {
  return (
    <Box className="auth-page">
      <SkipLink />
      <Box component="header" px="md" py="sm" bg="white" style={{ borderBottom: '1px solid var(--mantine-color-gray-3)' }}>
        <Group justify="space-between">
          <Brand />
          <LanguageSwitcher />
        </Group>
      </Box>
      <Center component="main" id="main" tabIndex={-1} py="xl" px="md">
        <Box w="100%" maw={560}>
          {children ?? <Outlet />}
        </Box>
      </Center>
    </Box>
  );
}
