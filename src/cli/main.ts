import { Command, Option } from 'commander';
import { ROLES } from '../kernel/authz/permissions.ts';
import { ConfigError, loadConfig } from '../kernel/config.ts';
import { DataDirLockedError } from '../kernel/db/lock.ts';
import { MigrationError } from '../kernel/db/migrate.ts';
import { KeyError } from '../kernel/vault/keyring.ts';
import { auditVerifyCommand } from './audit.ts';
import { demoCommand } from './demo.ts';
import { generatePoliceExportCommand } from './generate.ts';
import { importCommand } from './import.ts';
import { keysRetireCommand, keysRotateCommand, keysStatusCommand } from './keys.ts';
import { CliError, resolveLocale, setCliLocale, t, unknownLanguage } from './lang.ts';
import { migrateCommand } from './migrate.ts';
import { purgeCommand } from './purge.ts';
import { REPORT_FORMATS, reportFunnelCommand } from './report.ts';
import { serveCommand } from './serve.ts';
import { userAddCommand } from './user.ts';

/**
 * `haven …`: the command line. Every command prints JSON or plain lines and exits non-zero on
 * failure. The plain lines are in the language of `--lang` (before or after the command), else
 * HAVEN_LANG, else the locale (src/cli/lang.ts); `--help` is in English.
 */
const langOption = (what = 'the messages') =>
  new Option('--lang <locale>', `language of ${what}: nl, fr, en or de (default: HAVEN_LANG, else LC_ALL/LC_MESSAGES/LANG when one of these, else en)`);

const program = new Command('haven')
  .description('Haven: programmes against intrafamily violence')
  .showHelpAfterError()
  // `haven --lang fr purge` and `haven purge --lang fr` both work: the program's own options come
  // before the command, each command's after it (generate's --lang is the export's language).
  .enablePositionalOptions()
  .addOption(langOption());

/** The commands whose `--lang` is not the language of the messages. */
const LANG_IS_DATA = new Set(['police-export']);

program.hook('preAction', (root, action) => {
  const own = LANG_IS_DATA.has(action.name()) ? undefined : (action.opts() as { lang?: string }).lang;
  const resolved = resolveLocale(own ?? (root.opts() as { lang?: string }).lang, process.env);
  setCliLocale(resolved.locale);
  if (resolved.unknown) throw unknownLanguage(resolved.unknown);
});

program
  .command('serve', { isDefault: true })
  .description('Run the web app and API (migrates first; prints a setup link on first start)')
  .option('--demo', 'load the synthetic demo first (refused when NODE_ENV=production)')
  .addOption(langOption())
  .action((o: { demo?: boolean }) => serveCommand(loadConfig(), o));

program
  .command('migrate')
  .description('Apply pending database migrations and exit')
  .addOption(langOption())
  .action(() => migrateCommand(loadConfig()));

const user = program.command('user').description('Manage accounts');
user
  .command('add')
  .description('Create an account non-interactively; MFA enrolment follows at first sign-in')
  .requiredOption('--email <email>')
  .requiredOption('--name <name>', 'display name')
  .requiredOption('--organisation <name>', 'organisation name (created as kind "other" with --create-organisation)')
  .option('--create-organisation', 'create the organisation when it does not exist')
  .addOption(
    new Option('--role <role[@programme]>', `role, repeatable; per-programme roles name the programme slug (roles: ${ROLES.join(', ')})`)
      .argParser((v: string, prev: string[] = []) => [...prev, v])
      .default([]),
  )
  .option('--password-stdin', 'read the password from standard input (else HAVEN_NEW_USER_PASSWORD)')
  .option('--json', 'print the account created as JSON')
  .addOption(langOption())
  .action((o) => userAddCommand(loadConfig(), o));

const audit = program.command('audit').description('The audit trail');
audit
  .command('verify')
  .description('Check the hash chain; exits 1 and names the first broken row when it does not hold')
  .option('--json', 'print the result as JSON')
  .addOption(langOption())
  .action((o: { json?: boolean }) => auditVerifyCommand(loadConfig(), o));

program
  .command('purge')
  .description('Destroy identifying data whose retention has ended (haven serve does it daily); counted facts stay')
  .option('--dry-run', 'list what would go (contact ids, programme, dates; no personal data) and change nothing')
  .option('--json', 'print the result as JSON')
  .addOption(langOption())
  .action((o: { dryRun?: boolean; json?: boolean }) => purgeCommand(loadConfig(), o));

const keys = program.command('keys').description('The key ring that seals identifying data (stop Haven first when it uses a key file)');
keys
  .command('rotate')
  .description('Key file: add a key and make it active; then re-seal every sealed value under the active key, in batches (resumable)')
  .option('--resume', 'do not add a key: finish re-sealing under the active key (after an interrupted rotation)')
  .option('--batch-size <n>', 'values per transaction', '500')
  .option('--json', 'print the result as JSON')
  .addOption(langOption())
  .action((o: { resume?: boolean; batchSize?: string; json?: boolean }) => keysRotateCommand(loadConfig(), o));
keys
  .command('status')
  .description('The active key, the keys of the ring, and how many values each key seals, per column')
  .option('--json', 'print the result as JSON')
  .addOption(langOption())
  .action((o: { json?: boolean }) => keysStatusCommand(loadConfig(), o));
keys
  .command('retire')
  .description('Remove an old key from the key file; refused while any value is still sealed under it')
  .argument('<key-id>', 'the key id, e.g. k1')
  .option('--json', 'print the result as JSON')
  .addOption(langOption())
  .action((keyId: string, o: { json?: boolean }) => keysRetireCommand(loadConfig(), keyId, o));

program
  .command('import')
  .description('Import a police export (CSV or XLSX) into a programme: prints the preview as JSON, imports with --commit; exits 1 when refused')
  .argument('<file>', 'the export file')
  .requiredOption('--programme <slug>', 'the programme slug')
  .option('--sender <name>', 'the sending police zone (default: the only one with an active protocol)')
  .option('--mapping <name>', 'a saved column mapping of the sender (default: the suggested mapping)')
  .option('--save-mapping <name>', 'save the mapping used under this name')
  .option('--commit', 'import the accepted rows (else the preview only, nothing is written)')
  .addOption(langOption())
  .action((file: string, o) => importCommand(loadConfig(), file, o));

const report = program.command('report').description('Reports of a programme, from the counted facts (never the vault)');
report
  .command('funnel')
  .description('The outreach funnel of the contacts received in a period (JSON, or the CSV of the web app); exit 1 and a problem on stderr for bad input')
  .requiredOption('--programme <slug>', 'the programme slug')
  .requiredOption('--from <date>', 'first day of the period, yyyy-mm-dd (Europe/Brussels)')
  .requiredOption('--to <date>', 'last day of the period, included, yyyy-mm-dd')
  .option('--municipality <nis>', 'only the dossiers of this municipality (NIS code)')
  .option('--format <format>', `output: ${REPORT_FORMATS.join(' or ')}`, 'json')
  .addOption(langOption('the CSV labels and the messages'))
  .action((o) => reportFunnelCommand(loadConfig(), o));

const generate = program.command('generate').description('Synthetic test data (every person invented)');
generate
  .command('police-export')
  .description('A police export like the samples (CSV or XLSX), deterministic from the seed; streams, so a million rows is fine')
  .requiredOption('--rows <n>', 'number of data rows')
  .option('--lang <lang>', 'language of the export: nl (zone Carma, ";") or fr (zone Namur, ","); the messages follow `haven --lang` or HAVEN_LANG', 'nl')
  .option('--format <format>', 'csv or xlsx', 'csv')
  .option('--seed <n>', 'seed of the generator', '1')
  .option('--out <file>', 'write to this file (else standard output)')
  .action((o: { rows: string; lang?: string; format?: string; seed?: string; out?: string }) => generatePoliceExportCommand(o));

program
  .command('demo')
  .description('Load the synthetic demo data (organisations, projects, users of each role, an outreach history) and exit')
  .addOption(langOption())
  .action(() => demoCommand(loadConfig()));

try {
  await program.parseAsync(process.argv);
} catch (error) {
  if (error instanceof DataDirLockedError) {
    process.stderr.write(`haven: ${t('errors.dataDirLocked', { pid: error.pid, dataDir: error.dataDir })}\n`);
  } else if (error instanceof CliError || error instanceof ConfigError || error instanceof MigrationError || error instanceof KeyError) {
    // Configuration, migration and key-ring refusals are worded where they are found (src/kernel).
    process.stderr.write(`haven: ${error.message}\n`);
  } else {
    process.stderr.write(`haven: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  }
  process.exitCode = process.exitCode || 1;
}
