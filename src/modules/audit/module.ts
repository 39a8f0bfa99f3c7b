import type { HavenModule } from '../../kernel/module.ts';
import { auditRoutes } from './routes.ts';

/** The audit trail as the DPO and administrator read it. Writing it is the kernel's job. */
export default { name: 'audit', routes: auditRoutes } satisfies HavenModule;
