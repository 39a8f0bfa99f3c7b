import type { Authenticator } from './http/context.ts';
import type { AnyRoute } from './http/route.ts';
import type { DailyJob } from './jobs.ts';
import type { SealedColumn } from './vault/sealed-columns.ts';

/**
 * What a capability folder (`src/modules/<name>/module.ts`) contributes. The server finds modules
 * by their folder: adding a capability adds a folder, it does not edit the kernel.
 */
export interface HavenModule {
  name: string;
  routes: AnyRoute[];
  /** Exactly one module (identity) provides how a session cookie becomes a user. */
  authenticator?: Authenticator;
  /** Jobs `haven serve` runs once a day (src/kernel/jobs.ts), e.g. the retention purge. */
  dailyJobs?: DailyJob[];
  /** Every column holding values sealed by the key ring, so that `haven keys rotate` re-seals them all. */
  sealedColumns?: SealedColumn[];
}
