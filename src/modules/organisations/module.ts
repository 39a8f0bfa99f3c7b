import type { HavenModule } from '../../kernel/module.ts';
import { organisationRoutes } from './routes.ts';
import './schema.ts';

/** Partner organisations, the projects they run together and the programmes inside them. */
export default { name: 'organisations', routes: organisationRoutes } satisfies HavenModule;
