/** `haven serve`: the web app and API, the daily jobs, and the lines an operator reads at start-up. */
import type { Config } from '../kernel/config.ts';
import { startDailyJobs } from '../kernel/jobs.ts';
import { issueSetupToken } from '../modules/identity/auth.routes.ts';
import { buildServer } from '../server/app.ts';
import { loadModules } from '../server/modules.ts';
import { openRuntime } from '../server/runtime.ts';
import { loadDemo, loadDemoHistory, printDemoCredentials } from './demo.ts';
import { t } from './lang.ts';

export async function serveCommand(config: Config, o: { demo?: boolean }): Promise<void> {
  if (o.demo && config.env === 'production') {
    process.stderr.write(`haven: ${t('errors.demoInProduction')}\n`);
    process.exitCode = 2;
    return;
  }
  const rt = await openRuntime(config);
  let app: Awaited<ReturnType<typeof buildServer>> | undefined;
  let closing = false;
  let stopJobs: (() => Promise<void>) | undefined;
  const shutdown = async (signal: string) => {
    if (closing) return;
    closing = true;
    app?.log.info({ signal }, 'shutting down');
    // Fastify closes the idle keep-alive connections once, when closing starts; a connection whose
    // request finishes afterwards stayed open for its keep-alive timeout (72 s), and so did the
    // shutdown. Close connections as they fall idle; after 10 s, close them all.
    const server = app?.server;
    const reap = setInterval(() => server?.closeIdleConnections(), 50);
    const deadline = setTimeout(() => server?.closeAllConnections(), 10_000);
    try {
      await app?.close();
    } finally {
      clearInterval(reap);
      clearTimeout(deadline);
      await stopJobs?.();
      await rt.close();
    }
    process.exit(0);
  };
  process.on('SIGINT', () => void shutdown('SIGINT'));
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
  try {
    if (o.demo) {
      const creds = await loadDemo(rt.database.db, rt.keys);
      printDemoCredentials(creds, config);
      await loadDemoHistory(rt.database.db, rt.keys);
    }
    app = await buildServer({ config, database: rt.database, keys: rt.keys });
    await app.listen({ host: config.host, port: config.port });
  } catch (e) {
    await app?.close().catch(() => {});
    await rt.close();
    throw e;
  }
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : config.port;
  const base = config.publicUrl.replace(`:${config.port}`, `:${port}`);
  app.log.info({ database: rt.database.kind, migrated: rt.migrated, url: base }, 'Haven is listening');
  // Once-a-day jobs of the modules (the retention purge): each runs once a day across processes.
  const jobs = (await loadModules()).flatMap((m) => m.dailyJobs ?? []);
  if (!closing) stopJobs = startDailyJobs(rt.database.db, jobs, { keys: rt.keys, log: app.log });
  const database = rt.database.kind === 'pglite' ? t('serve.embedded', { dataDir: config.dataDir }) : t('serve.postgres');
  process.stdout.write(`\n${t('serve.running', { url: base, database })}\n`);
  const token = await issueSetupToken(rt.database.db);
  if (token) process.stdout.write(`\n${t('serve.setup')}\n\n  ${base}/setup#${token}\n\n`);
}
