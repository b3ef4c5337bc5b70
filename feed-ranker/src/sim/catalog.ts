import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { parse } from 'csv-parse/sync';
import { below, type Random } from './random-streams.ts';

/**
 * The simulated platform's catalog: the real KuaiRand videos (video_features_basic_pure.csv),
 * with their real tags and durations. Items are addressed by index (0..size-1); `videoIds` maps
 * an index back to the KuaiRand video_id.
 */
export interface SimCatalog {
  size: number;
  videoIds: Int32Array;
  /** Seconds; sampled from the known durations where the file has none. */
  durationS: Float64Array;
  durationKnown: Uint8Array;
  /** Tag indices of each item (into tagNames); empty when the file gives no tag. */
  tags: Int32Array[];
  tagNames: string[];
  /** How many items carry each tag. */
  tagCount: Int32Array;
  itemsByTag: Int32Array[];
  /** Rows of the file left out (an id that is not a whole number, or one seen before). */
  skippedRows: number;
}

/** The shipped KuaiRand video table (feed-ranker/datasets/kuairand/README.md). */
export const DEFAULT_VIDEOS = fileURLToPath(
  new URL('../../datasets/kuairand/video_features_basic_pure.csv', import.meta.url),
);

export const CATALOG_COLUMNS = ['video_id', 'video_duration', 'tag'] as const;

/** The catalog file cannot be used: missing, unparseable, without a needed column, or empty. */
export class CatalogError extends Error {
  readonly code = 'SIM_CATALOG_INVALID';
  constructor(message: string) {
    super(message);
    this.name = 'CatalogError';
  }
}

/** Durations (ms) outside this range are treated as unknown: KuaiRand writes 0 for unknown. */
const MIN_DURATION_MS = 1000;
const MAX_DURATION_MS = 3 * 3600 * 1000;

export function parseCatalog(text: string, random: Random, source = 'catalog'): SimCatalog {
  let records: Record<string, string>[];
  try {
    records = parse(text, {
      columns: true,
      skip_empty_lines: true,
      trim: true,
      relax_column_count: true,
    }) as Record<string, string>[];
  } catch (error) {
    throw new CatalogError(`${source}: not a readable CSV (${(error as Error).message})`);
  }
  const first = records[0];
  if (!first) throw new CatalogError(`${source}: no video rows`);
  const missing = CATALOG_COLUMNS.filter((column) => !(column in first));
  if (missing.length > 0)
    throw new CatalogError(
      `${source}: missing column${missing.length > 1 ? 's' : ''} ${missing.join(', ')}`,
    );

  const ids: number[] = [];
  const durations: (number | null)[] = [];
  const tagLists: string[][] = [];
  const seen = new Set<number>();
  let skippedRows = 0;
  for (const record of records) {
    const raw = record.video_id ?? '';
    const id = /^\d+$/.test(raw) ? Number(raw) : Number.NaN;
    if (!Number.isSafeInteger(id) || id > 0x7fffffff || seen.has(id)) {
      skippedRows += 1;
      continue;
    }
    seen.add(id);
    ids.push(id);
    const ms = Number(record.video_duration);
    durations.push(
      record.video_duration !== '' && ms >= MIN_DURATION_MS && ms <= MAX_DURATION_MS ? ms : null,
    );
    tagLists.push(
      (record.tag ?? '')
        .split(',')
        .map((t) => t.trim())
        .filter((t) => t.length > 0),
    );
  }
  if (ids.length === 0) throw new CatalogError(`${source}: no row has a usable video_id`);
  const known = durations.filter((d): d is number => d !== null);
  if (known.length === 0) throw new CatalogError(`${source}: no row has a usable video_duration`);

  const tagIndex = new Map<string, number>();
  const tagNames: string[] = [];
  const size = ids.length;
  const tags = tagLists.map((list) => {
    const indices = [...new Set(list)].map((name) => {
      let index = tagIndex.get(name);
      if (index === undefined) {
        index = tagNames.length;
        tagIndex.set(name, index);
        tagNames.push(name);
      }
      return index;
    });
    return Int32Array.from(indices);
  });
  const tagCount = new Int32Array(tagNames.length);
  for (const list of tags) for (const t of list) tagCount[t]! += 1;
  const byTag: number[][] = tagNames.map(() => []);
  tags.forEach((list, item) => list.forEach((t) => byTag[t]!.push(item)));

  const durationS = new Float64Array(size);
  const durationKnown = new Uint8Array(size);
  for (let i = 0; i < size; i += 1) {
    const ms = durations[i];
    durationKnown[i] = ms === null ? 0 : 1;
    // An unknown duration is drawn from the known ones, so it follows the catalog's distribution.
    durationS[i] = (ms ?? known[below(random, known.length)]!) / 1000;
  }
  return {
    size,
    videoIds: Int32Array.from(ids),
    durationS,
    durationKnown,
    tags,
    tagNames,
    tagCount,
    itemsByTag: byTag.map((list) => Int32Array.from(list)),
    skippedRows,
  };
}

export async function loadCatalog(file: string, random: Random): Promise<SimCatalog> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    throw new CatalogError(
      `${file}: cannot read (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`,
    );
  }
  return parseCatalog(text, random, file);
}
