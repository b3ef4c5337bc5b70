import { parseArgs } from 'node:util';
import { DEFAULT_OPTIONS, type EvalOptions } from './evaluate.ts';

/** The command line of `npm run ranker:eval`, read into options; UsageError on anything wrong. */

export const USAGE = `usage: npm run ranker:eval -- --log FILE [--log FILE2 ...] --videos FILE [--users FILE]
       [--split 0.8] [--seed 1] [--epochs 20] [--weight ratio|seconds] [--click-head]
       [--max-train-rows 2000000] [--json]

  --log FILE        a KuaiRand interaction log (log_random_*.csv, log_standard_*.csv); repeat to
                    concatenate parts
  --videos FILE     video features (video_features_basic_*.csv); repeat for a file in parts
  --users FILE      user features (user_features_*.csv), optional
  --split SHARE     share of interactions, earliest first, that train (default 0.8)
  --seed N          seed of training, tie-breaks and the random ranker (default 1)
  --epochs N        training epochs (default 20)
  --weight W        weight of a positive (long view): its watch ratio (default) or play seconds
  --click-head      also train a head on is_click and let it lift the score
  --max-train-rows N  fit the model on a uniform sample of at most N training rows (default
                    2,000,000); every training row still feeds the features
  --json            print the report as JSON instead of a table`;

export class UsageError extends Error {
  readonly code = 'EVAL_USAGE';
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

export interface EvalCommand {
  logs: string[];
  videos: string[];
  users: string[];
  json: boolean;
  help: boolean;
  options: Partial<EvalOptions>;
}

function number(
  flag: string,
  text: string | undefined,
  check: (n: number) => boolean,
  what: string,
) {
  if (text === undefined) return undefined;
  const value = Number(text);
  if (text.trim() === '' || !Number.isFinite(value) || !check(value))
    throw new UsageError(`--${flag} must be ${what}, not ${JSON.stringify(text)}`);
  return value;
}

export function parseEvalArgs(argv: readonly string[]): EvalCommand {
  let parsed;
  try {
    parsed = parseArgs({
      args: [...argv],
      strict: true,
      allowPositionals: false,
      options: {
        log: { type: 'string', multiple: true },
        videos: { type: 'string', multiple: true },
        users: { type: 'string', multiple: true },
        split: { type: 'string' },
        seed: { type: 'string' },
        epochs: { type: 'string' },
        weight: { type: 'string' },
        'click-head': { type: 'boolean' },
        'max-train-rows': { type: 'string' },
        json: { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
    });
  } catch (error) {
    // node's messages end with advice about '--' that does not apply here; keep the first sentence.
    const message = (error as Error).message.split('. ')[0]!.replace(/\.$/, '');
    throw new UsageError(message);
  }
  const { values } = parsed;
  const help = values.help === true;
  if (!help && (values.log ?? []).length === 0) throw new UsageError('--log FILE is required');
  if (!help && (values.videos ?? []).length === 0)
    throw new UsageError('--videos FILE is required');
  const options: Partial<EvalOptions> = {};
  const split = number('split', values.split, (n) => n > 0 && n < 1, 'a share between 0 and 1');
  if (split !== undefined) options.split = split;
  const seed = number(
    'seed',
    values.seed,
    (n) => Number.isInteger(n) && n >= 0 && n < 2 ** 32,
    'a whole number from 0 to 2^32 - 1',
  );
  if (seed !== undefined) options.seed = seed;
  const epochs = number(
    'epochs',
    values.epochs,
    (n) => Number.isInteger(n) && n >= 1 && n <= 1000,
    'a whole number from 1 to 1000',
  );
  if (epochs !== undefined) options.epochs = epochs;
  if (values.weight !== undefined) {
    if (values.weight !== 'ratio' && values.weight !== 'seconds')
      throw new UsageError(
        `--weight must be ratio or seconds, not ${JSON.stringify(values.weight)}`,
      );
    options.weighting = values.weight;
  }
  if (values['click-head']) options.clickHead = true;
  const maxTrainRows = number(
    'max-train-rows',
    values['max-train-rows'],
    (n) => Number.isInteger(n) && n >= 1,
    'a whole number above 0',
  );
  if (maxTrainRows !== undefined) options.maxTrainRows = maxTrainRows;
  const backend = process.env.RANKER_BACKEND;
  if (backend === 'wasm' || backend === 'cpu' || backend === 'auto') options.backend = backend;
  return {
    logs: values.log ?? [],
    videos: values.videos ?? [],
    users: values.users ?? [],
    json: values.json === true,
    help,
    options: { ...DEFAULT_OPTIONS, ...options },
  };
}
