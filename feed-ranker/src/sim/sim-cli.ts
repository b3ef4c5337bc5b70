import { CatalogError, DEFAULT_VIDEOS, loadCatalog } from './catalog.ts';
import { stream, STREAM } from './random-streams.ts';
import { parseSimArgs, SIM_USAGE, UsageError } from './sim-args.ts';
import { simulate } from './simulation.ts';
import { formatReport } from './report.ts';

/**
 * `npm run ranker:sim -- [--users N] [--sessions N] [--warmup N] [--seed N] [--epsilon P]
 * [--videos FILE] [--json]`: the session simulation of issue 5 on the real KuaiRand catalog.
 * Prints the table (or the report as JSON); exit 2 on a bad flag or catalog file.
 */
async function main(): Promise<number> {
  let args;
  try {
    args = parseSimArgs(process.argv.slice(2));
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    console.error(`ranker:sim: ${error.message} (${SIM_USAGE})`);
    return 2;
  }
  if (args.help) {
    console.log(SIM_USAGE);
    return 0;
  }
  let catalog;
  try {
    catalog = await loadCatalog(args.videos ?? DEFAULT_VIDEOS, stream(args.seed, STREAM.catalog));
  } catch (error) {
    if (!(error instanceof CatalogError)) throw error;
    console.error(`ranker:sim: ${error.message}`);
    return 2;
  }
  const started = performance.now();
  const { report } = await simulate({
    catalog,
    users: args.users,
    sessions: args.sessions,
    warmupSessions: args.warmup,
    seed: args.seed,
    modelEpsilon: args.epsilon,
  });
  if (args.json) console.log(JSON.stringify(report, null, 2));
  else
    console.log(
      `${formatReport(report)}\n\n(${((performance.now() - started) / 1000).toFixed(1)} s)`,
    );
  return 0;
}

process.exitCode = await main();
