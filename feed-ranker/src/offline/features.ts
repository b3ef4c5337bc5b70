import { FLAG, type LogTable, type UserTable, type VideoTable } from './kuairand.ts';
import { PairCounts } from './pair-counts.ts';

/**
 * Features of (user, video, time) for the offline evaluation, computed from the training period
 * only, the way CatBoost computes its "ordered target statistics" (Prokhorenkova et al., 2018):
 *
 * - training rows are visited in time order and each is described by what the training rows
 *   BEFORE it showed (then added to the statistics), so no row sees its own label — with
 *   leave-one-out rates the label would leak into the feature and the model would learn it;
 * - test rows are described by the statistics of the whole training period, frozen: a test
 *   label never reaches a feature, a baseline or another test row.
 *
 * Rates are smoothed towards a prior (a rate over few plays says little): an item's long-view rate
 * is (long views + M · global rate) / (plays + M), a user's rate on a tag shrinks towards that
 * user's overall rate. Co-watch counts pairs of videos long-viewed by one user within a window of
 * HISTORY consecutive long views; an item's co-watch score for a user is the cosine-normalised sum
 * Σ_h C(h, v) / √(n_h · n_v) over the user's last HISTORY long views h (item-to-item CF, Sarwar et
 * al., 2001; Linden et al., 2003), n the videos' long-view counts.
 */

export const PRIOR_WEIGHT = 5;
/** Long views per user kept for co-watch: the pairing window and the history scored against. */
export const HISTORY = 30;
/** Watch ratios above this are replays; capped so one looped clip does not dominate a mean. */
export const RATIO_CAP = 5;
const DAY_MS = 86_400_000;
/** KuaiRand's times are Beijing time (UTC+8); hours of day are read there. */
const UTC_OFFSET_MS = 8 * 3_600_000;

const ITEM_FEATURES = [
  'item_log_plays',
  'item_long_view_rate',
  'item_watch_ratio',
  'item_click_rate',
  'item_log_duration_s',
  'item_duration_unknown',
  'item_log_age_days',
  'item_is_ad',
  'item_landscape',
  'item_tag_long_view_rate',
  'item_tag_watch_ratio',
  'item_upload_type_long_view_rate',
];
const USER_FEATURES = [
  'user_log_plays',
  'user_long_view_rate',
  'user_watch_ratio',
  'user_click_rate',
];
/** From the users file, when one is given. */
const USER_FILE_FEATURES = [
  'user_active_degree',
  'user_log_follows',
  'user_log_fans',
  'user_log_friends',
  'user_log_register_days',
  'user_is_video_author',
  'user_is_live_streamer',
];
const CROSS_FEATURES = [
  'cross_tag_long_view_rate',
  'cross_tag_watch_ratio',
  'cross_tag_log_plays',
  'cross_cowatch',
  'ctx_hour_sin',
  'ctx_hour_cos',
];

export function featureNames(withUsers: boolean): string[] {
  return [
    ...ITEM_FEATURES,
    ...USER_FEATURES,
    ...(withUsers ? USER_FILE_FEATURES : []),
    ...CROSS_FEATURES,
  ];
}

/** play / duration capped at RATIO_CAP; NaN when the duration is unknown (0). */
export function watchRatio(log: LogTable, row: number): number {
  const duration = log.durationMs[row]!;
  return duration > 0 ? Math.min(RATIO_CAP, log.playMs[row]! / duration) : Number.NaN;
}

/** Plays, long views, clicks and watch ratios of one kind of key, in growable columns. */
class Counts {
  plays: Float64Array;
  longViews: Float64Array;
  clicks: Float64Array;
  ratioSum: Float64Array;
  ratioN: Float64Array;
  constructor(size: number) {
    this.plays = new Float64Array(size);
    this.longViews = new Float64Array(size);
    this.clicks = new Float64Array(size);
    this.ratioSum = new Float64Array(size);
    this.ratioN = new Float64Array(size);
  }
  ensure(index: number): void {
    if (index < this.plays.length) return;
    let size = this.plays.length;
    while (size <= index) size *= 2;
    for (const name of ['plays', 'longViews', 'clicks', 'ratioSum', 'ratioN'] as const) {
      const next = new Float64Array(size);
      next.set(this[name]);
      this[name] = next;
    }
  }
  add(index: number, longView: number, click: number, ratio: number): void {
    this.ensure(index);
    this.plays[index]! += 1;
    this.longViews[index]! += longView;
    this.clicks[index]! += click;
    if (!Number.isNaN(ratio)) {
      this.ratioSum[index]! += ratio;
      this.ratioN[index]! += 1;
    }
  }
  plays0(index: number): number {
    return index < this.plays.length ? this.plays[index]! : 0;
  }
  longViewRate(index: number, prior: number, weight = PRIOR_WEIGHT): number {
    if (index >= this.plays.length) return prior;
    return (this.longViews[index]! + weight * prior) / (this.plays[index]! + weight);
  }
  clickRate(index: number, prior: number, weight = PRIOR_WEIGHT): number {
    if (index >= this.plays.length) return prior;
    return (this.clicks[index]! + weight * prior) / (this.plays[index]! + weight);
  }
  ratio(index: number, prior: number, weight = PRIOR_WEIGHT): number {
    if (index >= this.plays.length) return prior;
    return (this.ratioSum[index]! + weight * prior) / (this.ratioN[index]! + weight);
  }
}

/**
 * What the training period has shown so far. `observe` adds one training row; the `describe`
 * and score functions only read.
 */
export class TrainHistory {
  private readonly global = new Counts(1);
  private readonly items = new Counts(1024);
  private readonly userCounts = new Counts(1024);
  private readonly tags = new Counts(256);
  private readonly uploadTypes = new Counts(16);
  /** user × tag, keyed user · tagCount + tag. */
  private readonly userTagIndex = new Map<number, number>();
  private readonly userTags = new Counts(1024);
  /** Each user's last HISTORY long-viewed videos, oldest first. */
  private readonly recent = new Map<number, number[]>();
  readonly cowatch = new PairCounts();
  readonly names: string[];

  constructor(
    private readonly videos: VideoTable,
    private readonly users: UserTable | null,
  ) {
    this.names = featureNames(users !== null);
  }

  get dim(): number {
    return this.names.length;
  }

  private itemTags(video: number): { start: number; count: number } {
    if (video >= this.videos.known.length || !this.videos.known[video])
      return { start: 0, count: 0 };
    return { start: this.videos.tagStart[video]!, count: this.videos.tagCount[video]! };
  }

  private userTag(user: number, tag: number, create: boolean): number {
    const key = user * Math.max(1, this.videos.tags.length) + tag;
    let index = this.userTagIndex.get(key);
    if (index === undefined && create) {
      index = this.userTagIndex.size;
      this.userTagIndex.set(key, index);
    }
    return index ?? -1;
  }

  /** Adds a training row to every statistic. */
  observe(log: LogTable, row: number): void {
    const user = log.user[row]!;
    const video = log.video[row]!;
    const longView = log.flags[row]! & FLAG.longView ? 1 : 0;
    const click = log.flags[row]! & FLAG.click ? 1 : 0;
    const ratio = watchRatio(log, row);
    this.global.add(0, longView, click, ratio);
    this.items.add(video, longView, click, ratio);
    this.userCounts.add(user, longView, click, ratio);
    const { start, count } = this.itemTags(video);
    for (let t = start; t < start + count; t += 1) {
      const tag = this.videos.tagPool[t]!;
      this.tags.add(tag, longView, click, ratio);
      this.userTags.add(this.userTag(user, tag, true), longView, click, ratio);
    }
    const uploadType = video < this.videos.known.length ? this.videos.uploadType[video]! : -1;
    if (uploadType >= 0) this.uploadTypes.add(uploadType, longView, click, ratio);
    if (longView) {
      let history = this.recent.get(user);
      if (!history) {
        history = [];
        this.recent.set(user, history);
      }
      for (const seen of history) this.cowatch.add(seen, video);
      history.push(video);
      if (history.length > HISTORY) history.shift();
    }
  }

  private globalLongViewRate(): number {
    return this.global.longViewRate(0, 0.1, 1);
  }

  private globalRatio(): number {
    return this.global.ratio(0, 0.3, 1);
  }

  /** Popularity baseline: the item's smoothed long-view rate over the training period. */
  popularity(video: number): number {
    return this.items.longViewRate(video, this.globalLongViewRate());
  }

  /** Item-to-item co-watch of `video` with the user's recent long views (0 without any). */
  cowatchScore(user: number, video: number): number {
    const history = this.recent.get(user);
    const own = this.items.longViews[video] ?? 0;
    if (!history || own === 0) return 0;
    let score = 0;
    for (const seen of history) {
      const together = this.cowatch.get(seen, video);
      if (together > 0) score += together / Math.sqrt(own * this.items.longViews[seen]!);
    }
    return score;
  }

  /** Writes the feature vector of (user, video at time) into out[offset .. offset + dim). */
  describe(log: LogTable, row: number, out: Float32Array, offset: number): void {
    const user = log.user[row]!;
    const video = log.video[row]!;
    const time = log.time[row]!;
    const v = this.videos;
    const known = video < v.known.length && v.known[video] === 1;
    const pLong = this.globalLongViewRate();
    const pRatio = this.globalRatio();
    const pClick = this.global.clickRate(0, 0.2, 1);
    let k = offset;
    // item
    out[k++] = Math.log1p(this.items.plays0(video));
    out[k++] = this.items.longViewRate(video, pLong);
    out[k++] = this.items.ratio(video, pRatio);
    out[k++] = this.items.clickRate(video, pClick);
    const durationMs =
      known && v.durationMs[video]! > 0 ? v.durationMs[video]! : log.durationMs[row]!;
    out[k++] = Math.log1p(durationMs / 1000);
    out[k++] = durationMs > 0 ? 0 : 1;
    const uploadDay = known ? v.uploadDay[video]! : -1;
    out[k++] = uploadDay >= 0 ? Math.log1p(Math.max(0, time / DAY_MS - uploadDay)) : 0;
    out[k++] = known ? v.isAd[video]! : 0;
    out[k++] = known ? v.landscape[video]! : 0;
    const { start, count } = this.itemTags(video);
    let tagLong = 0;
    let tagRatio = 0;
    for (let t = start; t < start + count; t += 1) {
      tagLong += this.tags.longViewRate(v.tagPool[t]!, pLong);
      tagRatio += this.tags.ratio(v.tagPool[t]!, pRatio);
    }
    out[k++] = count > 0 ? tagLong / count : pLong;
    out[k++] = count > 0 ? tagRatio / count : pRatio;
    const uploadType = known ? v.uploadType[video]! : -1;
    out[k++] = uploadType >= 0 ? this.uploadTypes.longViewRate(uploadType, pLong) : pLong;
    // user
    const userLong = this.userCounts.longViewRate(user, pLong);
    const userRatio = this.userCounts.ratio(user, pRatio);
    out[k++] = Math.log1p(this.userCounts.plays0(user));
    out[k++] = userLong;
    out[k++] = userRatio;
    out[k++] = this.userCounts.clickRate(user, pClick);
    if (this.users) {
      const u = this.users;
      const has = user < u.known.length && u.known[user] === 1;
      out[k++] = has ? u.activeDegree[user]! : 0;
      out[k++] = has ? Math.log1p(u.follows[user]!) : 0;
      out[k++] = has ? Math.log1p(u.fans[user]!) : 0;
      out[k++] = has ? Math.log1p(u.friends[user]!) : 0;
      out[k++] = has ? Math.log1p(u.registerDays[user]!) : 0;
      out[k++] = has ? u.isVideoAuthor[user]! : 0;
      out[k++] = has ? u.isLiveStreamer[user]! : 0;
    }
    // cross
    let crossLong = 0;
    let crossRatio = 0;
    let crossPlays = 0;
    for (let t = start; t < start + count; t += 1) {
      const index = this.userTag(user, v.tagPool[t]!, false);
      crossLong += index < 0 ? userLong : this.userTags.longViewRate(index, userLong);
      crossRatio += index < 0 ? userRatio : this.userTags.ratio(index, userRatio);
      crossPlays += index < 0 ? 0 : this.userTags.plays0(index);
    }
    out[k++] = count > 0 ? crossLong / count : userLong;
    out[k++] = count > 0 ? crossRatio / count : userRatio;
    out[k++] = Math.log1p(count > 0 ? crossPlays / count : 0);
    out[k++] = this.cowatchScore(user, video);
    const hour = (((time + UTC_OFFSET_MS) % DAY_MS) / DAY_MS) * 2 * Math.PI;
    out[k++] = Math.sin(hour);
    out[k++] = Math.cos(hour);
  }
}

/** The log cannot be split as asked (too few rows, or no row earlier than the cut). */
export class SplitError extends RangeError {
  readonly code = 'EVAL_SPLIT';
  constructor(message: string) {
    super(message);
    this.name = 'SplitError';
  }
}

/** Row indexes in time order (ties by row), cut at the first row of the test share. */
export interface TimeSplit {
  train: Uint32Array;
  test: Uint32Array;
  /** Time of the first test row: every training row is earlier, every test row at or after. */
  splitTime: number;
}

/**
 * The earliest `trainShare` of interactions train, the rest test. Rows at the cut's exact
 * millisecond all go to test, so the boundary is a time and not a row count.
 */
export function splitByTime(log: LogTable, trainShare: number): TimeSplit {
  if (!(trainShare > 0 && trainShare < 1))
    throw new SplitError(`the train share must be between 0 and 1, not ${trainShare}`);
  const order = new Uint32Array(log.rows);
  for (let i = 0; i < log.rows; i += 1) order[i] = i;
  const time = log.time;
  order.sort((a, b) => time[a]! - time[b]! || a - b);
  const cut = Math.floor(log.rows * trainShare);
  if (cut === 0 || cut >= log.rows)
    throw new SplitError(`${log.rows} rows cannot be split ${trainShare} / ${1 - trainShare}`);
  const splitTime = time[order[cut]!]!;
  let first = cut;
  while (first > 0 && time[order[first - 1]!] === splitTime) first -= 1;
  if (first === 0)
    throw new SplitError('every row has the same time: nothing is earlier to train on');
  return { train: order.subarray(0, first), test: order.subarray(first), splitTime };
}

/** Feature rows of the train and test parts, plus the baselines' scores of the test rows. */
export interface FeatureSet {
  names: string[];
  /** The training rows described in trainX (all of them, or a sample), in time order. */
  trainRows: Uint32Array;
  trainX: Float32Array;
  testX: Float32Array;
  popularity: Float64Array;
  cowatch: Float64Array;
}

/**
 * `count` of the positions 0..total-1, uniformly without replacement (partial Fisher-Yates), in
 * increasing order.
 */
export function samplePositions(total: number, count: number, random: () => number): Uint32Array {
  if (count >= total) return Uint32Array.from({ length: total }, (_, i) => i);
  const positions = new Uint32Array(total);
  for (let i = 0; i < total; i += 1) positions[i] = i;
  for (let i = 0; i < count; i += 1) {
    const j = i + Math.floor(random() * (total - i));
    const swap = positions[i]!;
    positions[i] = positions[j]!;
    positions[j] = swap;
  }
  return positions.subarray(0, count).sort();
}

/**
 * Describes the rows of a split. With `maxTrainRows`, the model trains on a uniform sample of that
 * many training rows (memory and training time stay bounded on the full public logs); every
 * training row still feeds the statistics.
 */
export function buildFeatures(
  log: LogTable,
  videos: VideoTable,
  users: UserTable | null,
  split: TimeSplit,
  sample: { maxTrainRows: number; random: () => number } = {
    maxTrainRows: Number.POSITIVE_INFINITY,
    random: Math.random,
  },
): FeatureSet {
  const history = new TrainHistory(videos, users);
  const dim = history.dim;
  const chosen = samplePositions(split.train.length, sample.maxTrainRows, sample.random);
  const trainRows = new Uint32Array(chosen.length);
  const trainX = new Float32Array(chosen.length * dim);
  let next = 0;
  for (let i = 0; i < split.train.length; i += 1) {
    const row = split.train[i]!;
    if (chosen[next] === i) {
      history.describe(log, row, trainX, next * dim);
      trainRows[next] = row;
      next += 1;
    }
    history.observe(log, row);
  }
  const testX = new Float32Array(split.test.length * dim);
  const popularity = new Float64Array(split.test.length);
  const cowatch = new Float64Array(split.test.length);
  for (let i = 0; i < split.test.length; i += 1) {
    const row = split.test[i]!;
    history.describe(log, row, testX, i * dim);
    const pop = history.popularity(log.video[row]!);
    popularity[i] = pop;
    // Co-watch first; among items it cannot tell apart (most, for a user with little history),
    // popularity decides: 1e-9 · pop (≤ 1e-9) stays below any co-watch score above 0, which is at
    // least 1 / max long views of an item.
    cowatch[i] = history.cowatchScore(log.user[row]!, log.video[row]!) + 1e-9 * pop;
  }
  return { names: history.names, trainRows, trainX, testX, popularity, cowatch };
}
