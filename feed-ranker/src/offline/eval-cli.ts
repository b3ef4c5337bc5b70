import { access, constants } from 'node:fs/promises';
import { parseEvalArgs, UsageError, USAGE } from './eval-args.ts';
import { evaluate, formatReport } from './evaluate.ts';
import { SplitError } from './features.ts';
import { KuaiRandFormatError, loadLogs, loadUsers, loadVideos } from './kuairand.ts';

/**
 * `npm run ranker:eval -- --log FILE --videos FILE [--users FILE] ...`: the offline evaluation of
 * the ranker on KuaiRand (see evaluate.ts). Bad input — an unknown flag, a missing file, a file
 * without the columns it needs, a log that cannot be split — ends with exit code 2 and one line on
 * stderr; anything else that fails ends with 1.
 */

const progress = (message: string) => {
  if (process.stderr.isTTY) process.stderr.write(`${message}\n`);
};

async function main(): Promise<void> {
  const command = parseEvalArgs(process.argv.slice(2));
  if (command.help) {
    process.stdout.write(`${USAGE}\n`);
    return;
  }
  // Every file is checked before the first is read: a typo in the last flag should not cost the
  // minutes it takes to read a full log.
  for (const file of [...command.logs, ...command.videos, ...command.users]) {
    try {
      await access(file, constants.R_OK);
    } catch {
      throw new KuaiRandFormatError('KUAIRAND_FILE_MISSING', `${file}: no such readable file`);
    }
  }
  progress(`reading ${command.videos.join(', ')}`);
  const videos = await loadVideos(command.videos);
  const users = command.users.length > 0 ? await loadUsers(command.users) : null;
  progress(`reading ${command.logs.join(', ')}`);
  const logs = await loadLogs(command.logs);
  progress(`${logs.log.rows.toLocaleString('en-US')} interactions; training`);
  const report = await evaluate(
    {
      log: logs.log,
      videos: videos.videos,
      users: users?.users ?? null,
      files: [...logs.reports, ...videos.reports, ...(users?.reports ?? [])],
    },
    command.options,
  );
  process.stdout.write(
    command.json ? `${JSON.stringify(report, null, 2)}\n` : `${formatReport(report)}\n`,
  );
}

try {
  await main();
} catch (error) {
  const bad =
    error instanceof UsageError ||
    error instanceof KuaiRandFormatError ||
    error instanceof SplitError;
  const message = error instanceof Error ? error.message : String(error);
  process.stderr.write(
    `ranker:eval: ${message}${error instanceof UsageError ? ' (--help for usage)' : ''}\n`,
  );
  process.exitCode = bad ? 2 : 1;
}
