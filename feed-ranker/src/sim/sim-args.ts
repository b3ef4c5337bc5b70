import { parseArgs } from 'node:util';

/** The command line of `npm run ranker:sim`, parsed and checked. */
export interface SimArgs {
  users: number;
  sessions: number;
  warmup: number;
  seed: number;
  epsilon: number;
  json: boolean;
  videos: string | null;
  help: boolean;
}

export const SIM_USAGE =
  'usage: npm run ranker:sim -- [--users N] [--sessions N] [--warmup N] [--seed N] ' +
  '[--epsilon P] [--videos FILE] [--json]';

export const SIM_DEFAULTS = { users: 400, sessions: 3, warmup: 5, seed: 1, epsilon: 0 } as const;

/** A flag the simulator does not know, or a value out of its range: exit 2 with this message. */
export class UsageError extends Error {
  readonly code = 'SIM_USAGE';
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

function integer(
  name: string,
  raw: string | undefined,
  fallback: number,
  min: number,
  max: number,
): number {
  if (raw === undefined) return fallback;
  if (!/^\d+$/.test(raw) || Number(raw) < min || Number(raw) > max)
    throw new UsageError(`--${name} must be a whole number from ${min} to ${max}, got "${raw}"`);
  return Number(raw);
}

export function parseSimArgs(argv: string[]): SimArgs {
  let values: Record<string, string | boolean | undefined>;
  try {
    ({ values } = parseArgs({
      args: argv,
      strict: true,
      allowPositionals: false,
      options: {
        users: { type: 'string' },
        sessions: { type: 'string' },
        warmup: { type: 'string' },
        seed: { type: 'string' },
        epsilon: { type: 'string' },
        videos: { type: 'string' },
        json: { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
    }));
  } catch (error) {
    // parseArgs explains itself in one sentence; keep its first line only.
    throw new UsageError((error as Error).message.split('\n')[0]!);
  }
  const str = (name: string) => values[name] as string | undefined;
  const epsilonRaw = str('epsilon');
  const epsilon = epsilonRaw === undefined ? SIM_DEFAULTS.epsilon : Number(epsilonRaw);
  if (epsilonRaw !== undefined && (!/^\d*\.?\d+$/.test(epsilonRaw) || epsilon > 1))
    throw new UsageError(`--epsilon must be a share from 0 to 1, got "${epsilonRaw}"`);
  const videos = str('videos');
  if (videos !== undefined && videos.trim() === '') throw new UsageError('--videos needs a file');
  return {
    users: integer('users', str('users'), SIM_DEFAULTS.users, 1, 100_000),
    sessions: integer('sessions', str('sessions'), SIM_DEFAULTS.sessions, 1, 1000),
    warmup: integer('warmup', str('warmup'), SIM_DEFAULTS.warmup, 1, 1000),
    seed: integer('seed', str('seed'), SIM_DEFAULTS.seed, 0, 2 ** 32 - 1),
    epsilon,
    json: values.json === true,
    videos: videos ?? null,
    help: values.help === true,
  };
}
