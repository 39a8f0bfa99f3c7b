import { Button, Center, Loader, Stack, Text } from '@mantine/core';
import type { ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { Navigate, Route, Routes, useLocation } from 'react-router';
import type { Permission } from '../../kernel/authz/permissions.ts';
import { AuditPage } from '../audit/AuditPage.tsx';
import { EnrolPage } from '../identity/EnrolPage.tsx';
import { LoginPage } from '../identity/LoginPage.tsx';
import { MfaChallengePage } from '../identity/MfaChallengePage.tsx';
import { ProfilePage } from '../identity/ProfilePage.tsx';
import { SetupPage } from '../identity/SetupPage.tsx';
import { UserPage } from '../identity/UserPage.tsx';
import { UsersPage } from '../identity/UsersPage.tsx';
import { OrganisationsPage } from '../organisations/OrganisationsPage.tsx';
import { ProjectsPage } from '../organisations/ProjectsPage.tsx';
import { AssignPage } from '../outreach/AssignPage.tsx';
import { ContactCardPage } from '../outreach/ContactCardPage.tsx';
import { ConversationPage } from '../outreach/ConversationPage.tsx';
import { EscalationsPage } from '../outreach/EscalationsPage.tsx';
import { FunnelPage } from '../outreach/FunnelPage.tsx';
import { OutreachSettingsPage } from '../outreach/OutreachSettings.tsx';
import { ReferralPage } from '../outreach/ReferralPage.tsx';
import { ScenarioPage } from '../outreach/ScenarioPage.tsx';
import { ScenariosPage } from '../outreach/ScenariosPage.tsx';
import { ServicesPage } from '../outreach/ServicesPage.tsx';
import { WorklistPage } from '../outreach/WorklistPage.tsx';
import { DossierPage } from '../referrals/DossierPage.tsx';
import { DossiersPage } from '../referrals/DossiersPage.tsx';
import { ImportPage } from '../referrals/ImportPage.tsx';
import { ImportsPage } from '../referrals/ImportsPage.tsx';
import { ImportWizardPage } from '../referrals/ImportWizardPage.tsx';
import { ManualReferralPage } from '../referrals/ManualReferralPage.tsx';
import { ProtocolsPage } from '../referrals/ProtocolsPage.tsx';
import { HomePage } from './HomePage.tsx';
import { ForbiddenPage, NotFoundPage } from './NotFoundPage.tsx';
import { AuthLayout, Shell } from './Shell.tsx';
import { homeOf, useSession } from './session.tsx';

function Loading() {
  const { t } = useTranslation();
  return (
    <Center h="100vh">
      <Loader aria-label={t('app:loading')} />
    </Center>
  );
}

function SessionError() {
  const { t } = useTranslation();
  return (
    <AuthLayout>
      <Stack role="alert">
        <Text fw={600}>{t('app:problem.network.title')}</Text>
        <Text>{t('app:problem.network.detail')}</Text>
        <Button onClick={() => window.location.reload()}>{t('app:action.reload')}</Button>
      </Stack>
    </AuthLayout>
  );
}

/** Only for a fully signed-in session; others go to the step of signing in where they are. */
function RequireActive({ children }: { children: ReactNode }) {
  const { session } = useSession();
  const location = useLocation();
  const from = `${location.pathname}${location.search}`;
  if (!session) return <Navigate to="/login" replace state={{ from }} />;
  if (session.state !== 'active') return <Navigate to={homeOf(session)} replace state={{ from }} />;
  return children;
}

function RequirePermission({ permission, children }: { permission: Permission; children: ReactNode }) {
  const { can } = useSession();
  return can(permission) ? children : <ForbiddenPage />;
}

export function AppRoutes() {
  const { session, loading, sessionError } = useSession();
  if (loading) return <Loading />;
  if (sessionError) return <SessionError />;
  const signedIn = session?.state === 'active';
  return (
    <Routes>
      <Route element={<AuthLayout />}>
        <Route path="/setup" element={<SetupPage />} />
        <Route path="/login" element={<LoginPage />} />
        <Route path="/login/mfa" element={<MfaChallengePage />} />
        <Route path="/enrol" element={<EnrolPage />} />
      </Route>
      <Route
        element={
          <RequireActive>
            <Shell />
          </RequireActive>
        }
      >
        <Route index element={<HomePage />} />
        <Route
          path="/admin/users"
          element={
            <RequirePermission permission="users.read">
              <UsersPage />
            </RequirePermission>
          }
        />
        <Route
          path="/admin/users/:userId"
          element={
            <RequirePermission permission="users.read">
              <UserPage />
            </RequirePermission>
          }
        />
        <Route
          path="/admin/organisations"
          element={
            <RequirePermission permission="organisations.read">
              <OrganisationsPage />
            </RequirePermission>
          }
        />
        <Route
          path="/admin/projects"
          element={
            <RequirePermission permission="projects.read">
              <ProjectsPage />
            </RequirePermission>
          }
        />
        <Route
          path="/audit"
          element={
            <RequirePermission permission="audit.read">
              <AuditPage />
            </RequirePermission>
          }
        />
        <Route
          path="/referrals/imports"
          element={
            <RequirePermission permission="imports.read">
              <ImportsPage />
            </RequirePermission>
          }
        />
        <Route
          path="/referrals/imports/new"
          element={
            <RequirePermission permission="imports.create">
              <ImportWizardPage />
            </RequirePermission>
          }
        />
        <Route
          path="/referrals/imports/:importId"
          element={
            <RequirePermission permission="imports.read">
              <ImportPage />
            </RequirePermission>
          }
        />
        <Route
          path="/referrals/dossiers"
          element={
            <RequirePermission permission="dossiers.read">
              <DossiersPage />
            </RequirePermission>
          }
        />
        <Route
          path="/referrals/dossiers/new"
          element={
            <RequirePermission permission="dossiers.create">
              <ManualReferralPage />
            </RequirePermission>
          }
        />
        <Route
          path="/referrals/dossiers/:dossierId"
          element={
            <RequirePermission permission="dossiers.read">
              <DossierPage />
            </RequirePermission>
          }
        />
        <Route
          path="/referrals/protocols"
          element={
            <RequirePermission permission="protocols.read">
              <ProtocolsPage />
            </RequirePermission>
          }
        />
        <Route
          path="/outreach"
          element={
            <RequirePermission permission="outreach.work">
              <WorklistPage />
            </RequirePermission>
          }
        />
        <Route
          path="/outreach/contacts/:contactId"
          element={
            <RequirePermission permission="outreach.work">
              <ContactCardPage />
            </RequirePermission>
          }
        />
        <Route
          path="/outreach/contacts/:contactId/conversation"
          element={
            <RequirePermission permission="outreach.work">
              <ConversationPage />
            </RequirePermission>
          }
        />
        <Route
          path="/outreach/contacts/:contactId/referral"
          element={
            <RequirePermission permission="outreach.work">
              <ReferralPage />
            </RequirePermission>
          }
        />
        <Route
          path="/outreach/funnel"
          element={
            <RequirePermission permission="reports.read">
              <FunnelPage />
            </RequirePermission>
          }
        />
        <Route
          path="/outreach/escalations"
          element={
            <RequirePermission permission="escalations.read">
              <EscalationsPage />
            </RequirePermission>
          }
        />
        <Route
          path="/outreach/assign"
          element={
            <RequirePermission permission="outreach.manage">
              <AssignPage />
            </RequirePermission>
          }
        />
        <Route
          path="/outreach/scenarios"
          element={
            <RequirePermission permission="scenarios.manage">
              <ScenariosPage />
            </RequirePermission>
          }
        />
        <Route
          path="/outreach/scenarios/:scenarioId"
          element={
            <RequirePermission permission="scenarios.manage">
              <ScenarioPage />
            </RequirePermission>
          }
        />
        <Route
          path="/outreach/services"
          element={
            <RequirePermission permission="services.read">
              <ServicesPage />
            </RequirePermission>
          }
        />
        <Route
          path="/outreach/settings"
          element={
            <RequirePermission permission="outreach.manage">
              <OutreachSettingsPage />
            </RequirePermission>
          }
        />
        <Route path="/profile" element={<ProfilePage />} />
      </Route>
      <Route
        path="*"
        element={
          signedIn ? (
            <Shell>
              <NotFoundPage />
            </Shell>
          ) : (
            <AuthLayout>
              <NotFoundPage />
            </AuthLayout>
          )
        }
      />
    </Routes>
  );
}
