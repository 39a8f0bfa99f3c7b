import type { HavenModule } from '../../kernel/module.ts';
import { dossierRoutes } from './dossiers.routes.ts';
import { importRoutes } from './imports.routes.ts';
import { protocolRoutes } from './protocols.routes.ts';
import { purgeJob } from './retention.ts';
import './schema.ts';
import { referralsSealedColumns } from './sealed.ts';

/** Police referrals: data-sharing protocols, imports of police exports, dossiers and contacts, the identity vault. */
export default {
  name: 'referrals',
  routes: [...protocolRoutes, ...importRoutes, ...dossierRoutes],
  dailyJobs: [purgeJob],
  sealedColumns: referralsSealedColumns,
} satisfies HavenModule;
