import type { HavenModule } from '../../kernel/module.ts';
import { conversationRoutes } from './conversations.routes.ts';
import { funnelRoutes } from './funnel.routes.ts';
import './schema.ts';
import { outreachPurgeJob } from './retention.ts';
import { outreachSealedColumns } from './sealed.ts';
import { serviceRoutes } from './services.routes.ts';
import { worklistRoutes } from './worklist.routes.ts';

/**
 * Proactive outreach: the callers' worklist (leases), safe contact, attempts under the programme's
 * rule, the scenario-guided conversation, escalation, referrals to services, closing, the funnel.
 */
export default {
  name: 'outreach',
  routes: [...worklistRoutes, ...conversationRoutes, ...serviceRoutes, ...funnelRoutes],
  sealedColumns: outreachSealedColumns,
  dailyJobs: [outreachPurgeJob],
} satisfies HavenModule;
