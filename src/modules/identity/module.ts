import type { HavenModule } from '../../kernel/module.ts';
import { authRoutes } from './auth.routes.ts';
import { meRoutes } from './me.routes.ts';
import './schema.ts';
import { identitySealedColumns } from './sealed.ts';
import { sessionAuthenticator } from './sessions.ts';
import { userRoutes } from './users.routes.ts';

/** Users, sessions, MFA and roles. The session timeouts come from configuration at request time. */
export default {
  name: 'identity',
  routes: [...authRoutes, ...meRoutes, ...userRoutes],
  authenticator: sessionAuthenticator,
  sealedColumns: identitySealedColumns,
} satisfies HavenModule;
