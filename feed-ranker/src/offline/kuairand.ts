import { createReadStream } from 'node:fs';
import { access, constants } from 'node:fs/promises';
import path from 'node:path';
import { parse, type CsvError } from 'csv-parse';

/**
 * Streaming loaders for the KuaiRand data set (Gao et al., CIKM 2022; CC BY-SA 4.0): interaction
 * logs (`log_random_*`, `log_standard_*`, any of 1K, Pure or 27K), video features
 * (`video_features_basic_*`) and user features (`user_features_*`).
 *
 * The files are read as a stream of CSV records and kept in columnar typed arrays, so the full
 * public logs (tens of millions of rows, ~25 bytes a row here) fit in memory where arrays of row
 * objects would not. The header is checked before any row: a file without a required column is
 * refused with every missing name. A row that does not parse (an id that is not a non-negative
 * integer, a negative time, a flag that is not 0/1, a record with the wrong number of fields) is
 * counted by reason and skipped, never fatal.
 *
 * Videos and users are indexed directly by their KuaiRand id (dense from 0 in every release: at
 * most ~32 million videos in 27K), which avoids a Map per id; an id above MAX_ID (2^26 - 1) is a bad row,
 * so one corrupt id cannot make the tables allocate gigabytes.
 */

export const MAX_ID = 2 ** 26 - 1;

/** What the interaction log must hold; the other KuaiRand columns are read when present. */
export const LOG_REQUIRED = [
  'user_id',
  'video_id',
  'time_ms',
  'long_view',
  'play_time_ms',
  'duration_ms',
] as const;
const LOG_FLAGS = ['is_click', 'is_like', 'is_follow', 'is_comment', 'is_forward', 'is_hate'];
export const VIDEO_REQUIRED = ['video_id', 'video_type', 'upload_dt', 'video_duration', 'tag'];
export const USER_REQUIRED = [
  'user_id',
  'user_active_degree',
  'follow_user_num',
  'fans_user_num',
  'friend_user_num',
  'register_days',
];

/** The file cannot be used at all: missing, unreadable, empty, or without required columns. */
export class KuaiRandFormatError extends Error {
  constructor(
    readonly code: 'KUAIRAND_FILE_MISSING' | 'KUAIRAND_COLUMNS_MISSING' | 'KUAIRAND_FILE_INVALID',
    message: string,
  ) {
    super(message);
    this.name = 'KuaiRandFormatError';
  }
}

/** What one file gave: rows kept, rows skipped by reason, and where the first few were. */
export interface LoadReport {
  file: string;
  rows: number;
  skipped: number;
  reasons: Record<string, number>;
  /**
   * Where the first few skipped rows were and why: `file record N: reason` (N counts the data
   * records after the header, 1-based), or `file line N: malformed CSV record` for a record the
   * parser could not read. Records are not located by line: asking csv-parse for each record's line
   * (its `info` option) doubles the time it takes to read a log.
   */
  examples: string[];
}

/** Bits of LogTable.flags. */
export const FLAG = {
  click: 1,
  like: 2,
  longView: 4,
  follow: 8,
  comment: 16,
  forward: 32,
  hate: 64,
} as const;

/** Interactions, one index per row across all columns. */
export interface LogTable {
  rows: number;
  user: Int32Array;
  video: Int32Array;
  /** Unix time of the interaction, milliseconds. */
  time: Float64Array;
  playMs: Float64Array;
  /** 0 = unknown. */
  durationMs: Float64Array;
  flags: Uint8Array;
}

/** Video features, indexed by video id (`known[id]` is 1 for a video the file described). */
export interface VideoTable {
  count: number;
  known: Uint8Array;
  /** 0 = unknown. */
  durationMs: Float64Array;
  /** Days since 1970-01-01 (UTC) of upload_dt; -1 = unknown. */
  uploadDay: Int32Array;
  isAd: Uint8Array;
  landscape: Uint8Array;
  /** Index into uploadTypes; -1 = unknown. */
  uploadType: Int32Array;
  uploadTypes: string[];
  /** The tags of video v are tagPool[tagStart[v] .. tagStart[v] + tagCount[v]), indexes into tags. */
  tagStart: Int32Array;
  tagCount: Uint8Array;
  tagPool: Uint16Array;
  tags: string[];
}

/** User features, indexed by user id. */
export interface UserTable {
  count: number;
  known: Uint8Array;
  /** user_active_degree on an ordinal scale (0 new or unknown .. 4 full_active). */
  activeDegree: Float32Array;
  follows: Float32Array;
  fans: Float32Array;
  friends: Float32Array;
  registerDays: Float32Array;
  isVideoAuthor: Uint8Array;
  isLiveStreamer: Uint8Array;
}

type Typed = Int32Array | Float64Array | Uint8Array | Uint16Array | Float32Array;

function grown<T extends Typed>(array: T, need: number): T {
  if (need <= array.length) return array;
  let size = Math.max(16, array.length);
  while (size < need) size *= 2;
  const next = new (array.constructor as new (n: number) => T)(size);
  next.set(array);
  return next;
}

/** A non-negative integer id, or null. Rejects empty strings, signs, decimals and exponents. */
function parseId(text: string | undefined): number | null {
  if (text === undefined || !/^\d{1,10}$/.test(text)) return null;
  const id = Number(text);
  return id <= MAX_ID ? id : null;
}

/** A finite number, or null (Number('') is 0, which must not pass as a value). */
function parseNumber(text: string | undefined): number | null {
  if (text === undefined) return null;
  const trimmed = text.trim();
  if (trimmed === '') return null;
  const value = Number(trimmed);
  return Number.isFinite(value) ? value : null;
}

class Skips {
  skipped = 0;
  readonly reasons: Record<string, number> = {};
  constructor(private readonly file: string) {}
  readonly examples: string[] = [];
  add(at: string, reason: string): void {
    this.skipped += 1;
    this.reasons[reason] = (this.reasons[reason] ?? 0) + 1;
    if (this.examples.length < 5) this.examples.push(`${this.file} ${at}: ${reason}`);
  }
  report(rows: number): LoadReport {
    return {
      file: this.file,
      rows,
      skipped: this.skipped,
      reasons: this.reasons,
      examples: this.examples,
    };
  }
}

/**
 * Streams a CSV file's records: first the header (checked against `required`), then each row with
 * its place (`record N`). Records that csv-parse cannot read (unbalanced quotes, a wrong field count) go
 * to `skips`.
 */
async function* records(
  file: string,
  required: readonly string[],
  kind: string,
  skips: Skips,
): AsyncGenerator<{ header: Map<string, number> } | { at: string; record: string[] }> {
  try {
    await access(file, constants.R_OK);
  } catch {
    throw new KuaiRandFormatError('KUAIRAND_FILE_MISSING', `${file}: no such readable file`);
  }
  const parser = parse({
    bom: true,
    skip_empty_lines: true,
    skip_records_with_error: true,
    on_skip: (error: CsvError | undefined) => {
      const line = error?.lines;
      skips.add(
        `line ${typeof line === 'number' ? line : parser.info.lines}`,
        'malformed CSV record',
      );
      return undefined;
    },
  });
  const stream = createReadStream(file).pipe(parser);
  let header: Map<string, number> | null = null;
  try {
    let index = 0;
    for await (const record of stream as AsyncIterable<string[]>) {
      if (header === null) {
        header = new Map(record.map((name, i) => [name.trim(), i]));
        const missing = required.filter((name) => !header!.has(name));
        if (missing.length > 0)
          throw new KuaiRandFormatError(
            'KUAIRAND_COLUMNS_MISSING',
            `${file}: not a KuaiRand ${kind} file, missing column${missing.length > 1 ? 's' : ''} ` +
              `${missing.join(', ')} (needs ${required.join(', ')})`,
          );
        yield { header };
        continue;
      }
      index += 1;
      yield { at: `record ${index}`, record };
    }
  } catch (error) {
    if (error instanceof KuaiRandFormatError) throw error;
    throw new KuaiRandFormatError(
      'KUAIRAND_FILE_INVALID',
      `${file}: cannot read as CSV (${(error as Error).message})`,
    );
  } finally {
    stream.destroy();
  }
  if (header === null)
    throw new KuaiRandFormatError('KUAIRAND_FILE_INVALID', `${file}: empty file, no header`);
}

function emptyLog(): LogTable {
  return {
    rows: 0,
    user: new Int32Array(1024),
    video: new Int32Array(1024),
    time: new Float64Array(1024),
    playMs: new Float64Array(1024),
    durationMs: new Float64Array(1024),
    flags: new Uint8Array(1024),
  };
}

/** Reads one or more interaction logs, in the order given, into one table. */
export async function loadLogs(files: readonly string[]): Promise<{
  log: LogTable;
  reports: LoadReport[];
}> {
  const log = emptyLog();
  const reports: LoadReport[] = [];
  for (const file of files) {
    const name = path.basename(file);
    const skips = new Skips(name);
    let col: Record<string, number | undefined> = {};
    let flagColumns: [number, number][] = [];
    let kept = 0;
    for await (const item of records(file, LOG_REQUIRED, 'interaction log', skips)) {
      if ('header' in item) {
        col = Object.fromEntries(item.header);
        const bits: Record<string, number> = {
          is_click: FLAG.click,
          is_like: FLAG.like,
          is_follow: FLAG.follow,
          is_comment: FLAG.comment,
          is_forward: FLAG.forward,
          is_hate: FLAG.hate,
          long_view: FLAG.longView,
        };
        flagColumns = [...LOG_FLAGS, 'long_view']
          .filter((name) => col[name] !== undefined)
          .map((name) => [col[name]!, bits[name]!]);
        continue;
      }
      const { at, record } = item;
      const user = parseId(record[col.user_id!]);
      const video = parseId(record[col.video_id!]);
      if (user === null || video === null) {
        skips.add(at, 'user_id or video_id is not an id');
        continue;
      }
      const time = parseNumber(record[col.time_ms!]);
      const play = parseNumber(record[col.play_time_ms!]);
      const duration = parseNumber(record[col.duration_ms!]);
      if (time === null || time < 0) {
        skips.add(at, 'time_ms is negative or not a number');
        continue;
      }
      if (play === null || play < 0 || duration === null || duration < 0) {
        skips.add(at, 'play_time_ms or duration_ms is negative or not a number');
        continue;
      }
      let flags = 0;
      let flagsValid = true;
      for (const [index, bit] of flagColumns) {
        const value = record[index];
        if (value === '1') flags |= bit;
        else if (value === '0') continue;
        else {
          const number = parseNumber(value);
          if (number === 1) flags |= bit;
          else if (number !== 0) flagsValid = false;
        }
      }
      if (!flagsValid) {
        skips.add(at, 'a flag is not 0 or 1');
        continue;
      }
      const next = log.rows;
      if (next >= log.user.length) {
        log.user = grown(log.user, next + 1);
        log.video = grown(log.video, next + 1);
        log.time = grown(log.time, next + 1);
        log.playMs = grown(log.playMs, next + 1);
        log.durationMs = grown(log.durationMs, next + 1);
        log.flags = grown(log.flags, next + 1);
      }
      log.user[next] = user;
      log.video[next] = video;
      log.time[next] = time;
      log.playMs[next] = play;
      log.durationMs[next] = duration;
      log.flags[next] = flags;
      log.rows += 1;
      kept += 1;
    }
    reports.push(skips.report(kept));
  }
  log.user = log.user.subarray(0, log.rows);
  log.video = log.video.subarray(0, log.rows);
  log.time = log.time.subarray(0, log.rows);
  log.playMs = log.playMs.subarray(0, log.rows);
  log.durationMs = log.durationMs.subarray(0, log.rows);
  log.flags = log.flags.subarray(0, log.rows);
  return { log, reports };
}

const DAY_MS = 86_400_000;

/** upload_dt as days since the epoch: `2022-04-10` (KuaiRand) or `20220410`; -1 when neither. */
function parseDay(text: string | undefined): number {
  const match = /^(\d{4})-?(\d{2})-?(\d{2})$/.exec(text?.trim() ?? '');
  if (!match) return -1;
  const ms = Date.UTC(Number(match[1]), Number(match[2]) - 1, Number(match[3]));
  return Number.isFinite(ms) ? Math.floor(ms / DAY_MS) : -1;
}

/** Reads video feature files (27K ships its features in parts) into one table. */
export async function loadVideos(
  files: readonly string[],
): Promise<{ videos: VideoTable; reports: LoadReport[] }> {
  let size = 1024;
  const v: VideoTable = {
    count: 0,
    known: new Uint8Array(size),
    durationMs: new Float64Array(size),
    uploadDay: new Int32Array(size).fill(-1),
    isAd: new Uint8Array(size),
    landscape: new Uint8Array(size),
    uploadType: new Int32Array(size).fill(-1),
    uploadTypes: [],
    tagStart: new Int32Array(size),
    tagCount: new Uint8Array(size),
    tagPool: new Uint16Array(4096),
    tags: [],
  };
  const tagIndex = new Map<string, number>();
  const uploadTypeIndex = new Map<string, number>();
  let poolSize = 0;
  const reports: LoadReport[] = [];
  for (const file of files) {
    const skips = new Skips(path.basename(file));
    let col: Record<string, number | undefined> = {};
    let kept = 0;
    for await (const item of records(file, VIDEO_REQUIRED, 'video features', skips)) {
      if ('header' in item) {
        col = Object.fromEntries(item.header);
        continue;
      }
      const { at, record } = item;
      const id = parseId(record[col.video_id!]);
      if (id === null) {
        skips.add(at, 'video_id is not an id');
        continue;
      }
      const duration = parseNumber(record[col.video_duration!]);
      if (duration !== null && duration < 0) {
        skips.add(at, 'video_duration is negative');
        continue;
      }
      if (id >= size) {
        const previous = size;
        while (size <= id) size *= 2;
        v.known = grown(v.known, size);
        v.durationMs = grown(v.durationMs, size);
        v.uploadDay = grown(v.uploadDay, size);
        v.uploadDay.fill(-1, previous);
        v.isAd = grown(v.isAd, size);
        v.landscape = grown(v.landscape, size);
        v.uploadType = grown(v.uploadType, size);
        v.uploadType.fill(-1, previous);
        v.tagStart = grown(v.tagStart, size);
        v.tagCount = grown(v.tagCount, size);
      }
      if (!v.known[id]) v.count += 1;
      v.known[id] = 1;
      v.durationMs[id] = duration ?? 0;
      v.uploadDay[id] = parseDay(record[col.upload_dt!]);
      v.isAd[id] = record[col.video_type!]?.trim() === 'AD' ? 1 : 0;
      const width = col.server_width === undefined ? null : parseNumber(record[col.server_width]);
      const height =
        col.server_height === undefined ? null : parseNumber(record[col.server_height]);
      v.landscape[id] = width !== null && height !== null && width > height ? 1 : 0;
      const uploadType = col.upload_type === undefined ? '' : record[col.upload_type]!.trim();
      if (uploadType !== '' && uploadType !== 'UNKNOWN') {
        let index = uploadTypeIndex.get(uploadType);
        if (index === undefined) {
          index = v.uploadTypes.length;
          uploadTypeIndex.set(uploadType, index);
          v.uploadTypes.push(uploadType);
        }
        v.uploadType[id] = index;
      } else v.uploadType[id] = -1;
      // `tag` is empty, one tag, or a quoted comma list ("39,68").
      const names = (record[col.tag!] ?? '')
        .split(',')
        .map((t) => t.trim())
        .filter((t) => t !== '')
        .slice(0, 255);
      v.tagPool = grown(v.tagPool, poolSize + names.length);
      v.tagStart[id] = poolSize;
      v.tagCount[id] = names.length;
      for (const name of names) {
        let index = tagIndex.get(name);
        if (index === undefined) {
          if (v.tags.length >= 65_535) continue;
          index = v.tags.length;
          tagIndex.set(name, index);
          v.tags.push(name);
        }
        v.tagPool[poolSize] = index;
        poolSize += 1;
      }
      v.tagCount[id] = poolSize - v.tagStart[id]!;
      kept += 1;
    }
    reports.push(skips.report(kept));
  }
  v.tagPool = v.tagPool.subarray(0, poolSize);
  return { videos: v, reports };
}

/** KuaiRand's user_active_degree values on one scale; anything else reads as 0. */
const ACTIVE_DEGREE: Record<string, number> = {
  full_active: 4,
  high_active: 3,
  middle_active: 2,
  low_active: 1,
  single_low_active: 1,
  '30day_retention': 1,
  '2_14_day_new': 0.5,
  day_new: 0.5,
};

export async function loadUsers(
  files: readonly string[],
): Promise<{ users: UserTable; reports: LoadReport[] }> {
  let size = 1024;
  const u: UserTable = {
    count: 0,
    known: new Uint8Array(size),
    activeDegree: new Float32Array(size),
    follows: new Float32Array(size),
    fans: new Float32Array(size),
    friends: new Float32Array(size),
    registerDays: new Float32Array(size),
    isVideoAuthor: new Uint8Array(size),
    isLiveStreamer: new Uint8Array(size),
  };
  const reports: LoadReport[] = [];
  for (const file of files) {
    const skips = new Skips(path.basename(file));
    let col: Record<string, number | undefined> = {};
    let kept = 0;
    for await (const item of records(file, USER_REQUIRED, 'user features', skips)) {
      if ('header' in item) {
        col = Object.fromEntries(item.header);
        continue;
      }
      const { at, record } = item;
      const id = parseId(record[col.user_id!]);
      if (id === null) {
        skips.add(at, 'user_id is not an id');
        continue;
      }
      const counts = [
        record[col.follow_user_num!],
        record[col.fans_user_num!],
        record[col.friend_user_num!],
        record[col.register_days!],
      ].map(parseNumber);
      if (counts.some((n) => n === null || n < 0)) {
        skips.add(at, 'a count is negative or not a number');
        continue;
      }
      if (id >= size) {
        while (size <= id) size *= 2;
        u.known = grown(u.known, size);
        u.activeDegree = grown(u.activeDegree, size);
        u.follows = grown(u.follows, size);
        u.fans = grown(u.fans, size);
        u.friends = grown(u.friends, size);
        u.registerDays = grown(u.registerDays, size);
        u.isVideoAuthor = grown(u.isVideoAuthor, size);
        u.isLiveStreamer = grown(u.isLiveStreamer, size);
      }
      if (!u.known[id]) u.count += 1;
      u.known[id] = 1;
      u.activeDegree[id] = ACTIVE_DEGREE[record[col.user_active_degree!]!.trim()] ?? 0;
      u.follows[id] = counts[0]!;
      u.fans[id] = counts[1]!;
      u.friends[id] = counts[2]!;
      u.registerDays[id] = counts[3]!;
      // KuaiRand codes "no" in these flags as 0 or as -124 (an anonymisation artefact): 1 is yes.
      u.isVideoAuthor[id] =
        col.is_video_author !== undefined && record[col.is_video_author] === '1' ? 1 : 0;
      u.isLiveStreamer[id] =
        col.is_live_streamer !== undefined && record[col.is_live_streamer] === '1' ? 1 : 0;
      kept += 1;
    }
    reports.push(skips.report(kept));
  }
  return { users: u, reports };
}
