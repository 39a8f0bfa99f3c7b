import type { Authenticator } from './http/context.ts';
import type { AnyRoute } from './http/route.ts';

/**
 * What a capability folder (`src/modules/<name>/module.ts`) contributes. The server finds modules
 * by their folder: adding a capability adds a folder, it does not edit the kernel.
 */
export interface HavenModule {
  name: string;
  routes: AnyRoute[];
  /** Exactly one module (identity) provides how a session cookie becomes a user. */
  authenticator?: Authenticator;
}
