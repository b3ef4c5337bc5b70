import { sql } from 'drizzle-orm';
import type { Database } from '@binge/core/db';
import type { Logger } from '@binge/core/log';
import { bumpSeriesActivity, hourOf } from '@binge/core/rankings/activity';
import { MAX_CLOCK_AHEAD_MS, MAX_EVENT_AGE_MS } from '@binge/core/protocol/watch-events';
import type { StoredWatchEvent } from '@binge/core/watch-events/event';
import { decodeStoredEvent } from '@binge/core/watch-events/event-codec';
import { WATCH_EVENTS_GROUP } from '@binge/core/watch-events/pipeline';
import type { EventStream, StreamEntry } from '@binge/core/watch-events/stream';
import { applyEventFeatures } from '../features/apply-events.ts';
import { jsonRows, rowsOf } from '../features/sql-params.ts';
import { dropExpiredPartitions, ensureDayPartitions, startOfUtcDay } from './partitions.ts';

/**
 * Moves watch events from the event stream into PostgreSQL: the ranker's consumer group, one
 * consumer per process. Per batch, in one transaction: insert the events (ON CONFLICT DO NOTHING
 * RETURNING what was new), update the features from the new ones (`onStored`), add the plays to
 * the hot board's views; commit, then acknowledge. So an event is acknowledged only once stored,
 * a consumer killed before its commit leaves its batch pending for another to claim, and a batch
 * replayed after its commit (killed between commit and ack) inserts and counts nothing twice.
 * Nor does an event a client resends after its dedupe mark is gone (expired, or lost with the
 * process or Redis): the insert keeps one copy of an id per batch and looks for another copy among
 * the user's stored events. Two copies stored by two consumers at the same moment can still both
 * go in (neither sees the other's uncommitted row); copies are accepted far apart in time.
 *
 * What cannot be decoded goes to the dead-letter stream at once. A batch whose transaction fails
 * stays pending and comes back after `claimIdleMs`, to this consumer or another, while this one
 * backs off; once its entries have been delivered `maxDeliveries` times it is split and each
 * entry tried alone, and an entry that still fails while the database answers is dead-lettered,
 * so one poison entry cannot hold the stream back forever.
 */
export interface EventConsumerOptions {
  db: Database;
  stream: EventStream;
  logger: Logger;
  /** This consumer's name in the group: unique per process (a dead one's entries are claimed). */
  name: string;
  group?: string;
  /**
   * Runs in the batch's transaction with the events it newly inserted; by default the feature
   * updates (features/apply-events.ts).
   */
  onStored?: (tx: Database, events: StoredWatchEvent[]) => Promise<void>;
  batchSize?: number;
  /** How long a read waits for new entries. */
  blockMs?: number;
  /** Pending entries idle longer than this are claimed (their consumer died or failed). */
  claimIdleMs?: number;
  /** Deliveries after which a failing batch is split to find the entry that fails it. */
  maxDeliveries?: number;
  /** Days of events kept (EVENT_RETENTION_DAYS); unset keeps every partition. */
  retentionDays?: number;
  /** Backoff after a failed pass: doubles from `minBackoffMs` up to `maxBackoffMs`. */
  minBackoffMs?: number;
  maxBackoffMs?: number;
  now?: () => number;
}

export interface DrainResult {
  /** Entries taken from the stream (claimed or read). */
  entries: number;
  /** Rows inserted (a replayed event is taken but not inserted). */
  stored: number;
  /** Entries dead-lettered. */
  dead: number;
  /** Entries left pending by a failed transaction. */
  failed: number;
}

export interface EventConsumerStats extends DrainResult {
  batches: number;
  lastError: string | null;
}

export interface EventConsumer {
  /** Creates the group if needed and runs the loop until stop(). */
  start(): Promise<void>;
  /**
   * Ends the loop; waits for a batch being stored, not for a read that waits for entries. On the
   * in-memory stream, which dies with the process, it then stores what is left in it (the
   * ingesters must be stopped first), so a clean shutdown of the embedded platform loses nothing.
   */
  stop(): Promise<void>;
  /** One pass without waiting: claim idle entries, read new ones, store them. */
  drainOnce(): Promise<DrainResult>;
  /** Passes until one finds nothing (or fails). */
  drain(): Promise<DrainResult>;
  stats(): EventConsumerStats;
}

const HOUR_MS = 3_600_000;

/**
 * How long before its (clamped) client time an event can first have been received: a client
 * clock may run MAX_CLOCK_AHEAD_MS ahead of the server's; one minute more for the servers' own.
 */
const RESEND_SLACK_MINUTES = MAX_CLOCK_AHEAD_MS / 60_000 + 1;

interface InsertedRow {
  id: string;
  received_ms: number;
}

const keyOf = (id: string, receivedMs: number) => `${id}|${receivedMs}`;

export function createEventConsumer(options: EventConsumerOptions): EventConsumer {
  const { db, stream, logger, name } = options;
  const group = options.group ?? WATCH_EVENTS_GROUP;
  const onStored = options.onStored ?? applyEventFeatures;
  const batchSize = options.batchSize ?? 500;
  const blockMs = options.blockMs ?? 1000;
  const claimIdleMs = options.claimIdleMs ?? 30_000;
  const maxDeliveries = options.maxDeliveries ?? 5;
  const minBackoffMs = options.minBackoffMs ?? 500;
  const maxBackoffMs = options.maxBackoffMs ?? 30_000;
  const now = options.now ?? Date.now;

  const totals: EventConsumerStats = {
    entries: 0,
    stored: 0,
    dead: 0,
    failed: 0,
    batches: 0,
    lastError: null,
  };
  /** Days (start ms) whose watch_events partition this process made sure of. */
  const knownDays = new Set<number>();
  let running = false;
  let storing: Promise<unknown> | null = null;
  let wakeUp: (() => void) | null = null;
  let lastClaimAt = 0;
  let lastMaintenanceAt = 0;

  async function ensurePartitions(events: StoredWatchEvent[]): Promise<void> {
    const days = new Set(events.map((event) => startOfUtcDay(event.receivedAt).getTime()));
    for (const day of days) {
      if (knownDays.has(day)) continue;
      await ensureDayPartitions(db, 'watch_events', new Date(day), 1, logger);
      knownDays.add(day);
    }
  }

  /** The batch's transaction; answers the events it inserted. */
  async function store(events: StoredWatchEvent[]): Promise<StoredWatchEvent[]> {
    await ensurePartitions(events);
    const rows = events.map((e) => ({
      received_at: new Date(e.receivedAt).toISOString(),
      id: e.id,
      user_id: e.userId,
      episode_id: e.episodeId,
      series_id: e.seriesId,
      type: e.type,
      position_ms: e.positionMs,
      duration_ms: e.durationMs,
      from_ms: e.fromMs,
      rate: e.rate,
      impression: e.impression,
      client_at: new Date(e.clientAt).toISOString(),
      source: e.source,
    }));
    return db.transaction(async (tx) => {
      // One parameter whatever the batch size (sql-params.ts says why).
      const inserted = await rowsOf<InsertedRow>(
        tx.execute(sql`insert into watch_events (received_at, id, user_id, episode_id, series_id,
            type, position_ms, duration_ms, from_ms, rate, impression, client_at, source)
          select received_at, id, user_id, episode_id, series_id, type, position_ms, duration_ms,
            from_ms, rate, impression, client_at, source
          from (
            -- One copy of an event per batch: the earliest received.
            select distinct on (r.id) r.*
            from jsonb_to_recordset(${jsonRows(rows)}) as r(received_at timestamptz, id text,
              user_id int, episode_id int, series_id int, type text, position_ms int,
              duration_ms int, from_ms int, rate float8, impression text, client_at timestamptz,
              source text)
            order by r.id, r.received_at
          ) v
          -- The same event accepted again (its dedupe mark expired or was lost with Redis, and
          -- the client resent it) has another received_at, so the key does not catch it: look
          -- for another copy among the user's events from when it happened to the oldest age an
          -- event is accepted at (an index range that is seconds long for a live event).
          where not exists (select 1 from watch_events w where w.user_id = v.user_id
            and w.received_at >= v.client_at - interval '${sql.raw(String(RESEND_SLACK_MINUTES))} minutes'
            and w.received_at <= v.client_at + interval '${sql.raw(String(RESEND_SLACK_MINUTES + MAX_EVENT_AGE_MS / 60_000))} minutes'
            and w.received_at <> v.received_at and w.id = v.id)
          on conflict do nothing
          returning id, (extract(epoch from received_at) * 1000)::float8 as received_ms`),
      );
      const fresh = new Set(inserted.map((row) => keyOf(row.id, Number(row.received_ms))));
      const newEvents: StoredWatchEvent[] = [];
      for (const event of events) {
        const key = keyOf(event.id, event.receivedAt);
        // The same entry twice in one batch is inserted once and counted once.
        if (fresh.delete(key)) newEvents.push(event);
      }
      if (newEvents.length === 0) return newEvents;
      await onStored(tx as unknown as Database, newEvents);
      const plays = new Map<string, { seriesId: number; hour: Date; n: number }>();
      for (const event of newEvents) {
        if (event.type !== 'start') continue;
        const hour = hourOf(new Date(event.receivedAt));
        const key = `${event.seriesId}|${hour.getTime()}`;
        const entry = plays.get(key) ?? { seriesId: event.seriesId, hour, n: 0 };
        entry.n += 1;
        plays.set(key, entry);
      }
      for (const { seriesId, hour, n } of plays.values())
        await bumpSeriesActivity(tx, seriesId, 'views', n, hour);
      return newEvents;
    });
  }

  async function databaseAnswers(): Promise<boolean> {
    try {
      await db.execute(sql`select 1`);
      return true;
    } catch {
      return false;
    }
  }

  async function storeEntries(entries: StreamEntry[]): Promise<DrainResult> {
    const result: DrainResult = { entries: entries.length, stored: 0, dead: 0, failed: 0 };
    if (entries.length === 0) return result;
    const good: { entry: StreamEntry; event: StoredWatchEvent }[] = [];
    const bad = new Map<string, StreamEntry[]>();
    for (const entry of entries) {
      const decoded = decodeStoredEvent(entry.payload);
      if (decoded.ok) good.push({ entry, event: decoded.event });
      else bad.set(decoded.reason, [...(bad.get(decoded.reason) ?? []), entry]);
    }
    for (const [reason, list] of bad) {
      logger.error(
        { entries: list.map((e) => e.id), reason },
        'undecodable watch events moved to the dead letters',
      );
      await stream.deadLetter(group, list, reason);
      result.dead += list.length;
    }
    if (good.length === 0) return result;

    try {
      const inserted = await store(good.map((g) => g.event));
      result.stored += inserted.length;
    } catch (error) {
      totals.lastError = error instanceof Error ? error.message : String(error);
      const worn = good.some((g) => g.entry.deliveries >= maxDeliveries);
      if (worn && good.length > 1) {
        // Find the entry that fails the batch: each alone, the others go in.
        for (const g of good) {
          const alone = await storeEntries([g.entry]);
          result.stored += alone.stored;
          result.dead += alone.dead;
          result.failed += alone.failed;
        }
        return result;
      }
      if (worn && (await databaseAnswers())) {
        const reason = `store failed ${good[0]!.entry.deliveries} times: ${totals.lastError}`;
        logger.error(
          { err: error, entry: good[0]!.entry.id },
          'watch event moved to the dead letters',
        );
        await stream.deadLetter(group, [good[0]!.entry], reason.slice(0, 500));
        result.dead += 1;
        return result;
      }
      logger.warn(
        { err: error, entries: good.length },
        'storing watch events failed; the batch stays pending and is retried',
      );
      result.failed += good.length;
      return result;
    }
    try {
      await stream.ack(
        group,
        good.map((g) => g.entry.id),
      );
    } catch (error) {
      // Stored but not acknowledged: the entries come back and insert nothing twice.
      logger.warn({ err: error }, 'acknowledging stored watch events failed');
    }
    return result;
  }

  function add(into: DrainResult, from: DrainResult): DrainResult {
    into.entries += from.entries;
    into.stored += from.stored;
    into.dead += from.dead;
    into.failed += from.failed;
    return into;
  }

  /**
   * Claims entries idle for `claimAfterMs` (none when null), then reads new ones, waiting up to
   * `waitMs`.
   */
  async function pass(
    claimAfterMs: number | null,
    waitMs: number | undefined,
    fromLoop: boolean,
  ): Promise<DrainResult> {
    let entries: StreamEntry[] = [];
    if (claimAfterMs !== null) {
      lastClaimAt = now();
      entries = await stream.claimIdle(group, name, claimAfterMs, batchSize);
    }
    if (entries.length < batchSize) {
      const fresh = await stream.read(
        group,
        name,
        batchSize - entries.length,
        entries.length > 0 ? undefined : waitMs,
      );
      entries = entries.concat(fresh);
    }
    // Stopped while waiting: leave what came for the next consumer, the database may be closing.
    if (fromLoop && !running) return { entries: 0, stored: 0, dead: 0, failed: 0 };
    const work = storeEntries(entries);
    storing = work;
    try {
      const result = await work;
      if (entries.length > 0) totals.batches += 1;
      add(totals, result);
      return result;
    } finally {
      storing = null;
    }
  }

  async function maintain(): Promise<void> {
    lastMaintenanceAt = now();
    try {
      const today = startOfUtcDay(now());
      await ensureDayPartitions(db, 'watch_events', today, 2, logger);
      knownDays.add(today.getTime());
      knownDays.add(today.getTime() + 86_400_000);
      if (options.retentionDays !== undefined) {
        const dropped = await dropExpiredPartitions(
          db,
          'watch_events',
          options.retentionDays,
          today,
          logger,
        );
        if (dropped.length > 0) knownDays.clear();
      }
    } catch (error) {
      logger.warn({ err: error }, 'watch_events partition upkeep failed; retried later');
    }
  }

  function sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        wakeUp = null;
        resolve();
      }, ms);
      wakeUp = () => {
        clearTimeout(timer);
        wakeUp = null;
        resolve();
      };
    });
  }

  async function run(): Promise<void> {
    let failures = 0;
    while (running) {
      if (now() - lastMaintenanceAt >= HOUR_MS) await maintain();
      let failed = false;
      try {
        const claim = now() - lastClaimAt >= claimIdleMs / 2 ? claimIdleMs : null;
        const result = await pass(claim, blockMs, true);
        failed = result.failed > 0;
      } catch (error) {
        failed = true;
        totals.lastError = error instanceof Error ? error.message : String(error);
        logger.warn({ err: error }, 'event consumer pass failed; backing off');
      }
      if (!failed) {
        failures = 0;
        continue;
      }
      failures += 1;
      if (running) await sleep(Math.min(maxBackoffMs, minBackoffMs * 2 ** (failures - 1)));
    }
  }

  return {
    async start() {
      if (running) return;
      await stream.ensureGroup(group);
      running = true;
      void run().catch((error: unknown) => {
        // run() catches every pass; this is a bug, logged rather than crashing the process.
        logger.error({ err: error }, 'event consumer loop ended');
      });
    },

    async stop() {
      if (!running) return;
      running = false;
      wakeUp?.();
      if (storing) await storing.catch(() => undefined);
      if (stream.kind !== 'memory') return;
      // Everything in this stream is this process's: take what a stopped read left pending too.
      for (;;) {
        const result = await pass(0, undefined, false).catch((error: unknown) => {
          logger.error({ err: error }, 'storing the last watch events failed; they are lost');
          return null;
        });
        if (result === null || result.entries === 0 || result.failed > 0) {
          if (result && result.failed > 0)
            logger.error({ events: result.failed }, 'the last watch events could not be stored');
          return;
        }
      }
    },

    async drainOnce() {
      await stream.ensureGroup(group);
      return pass(claimIdleMs, undefined, false);
    },

    async drain() {
      const total: DrainResult = { entries: 0, stored: 0, dead: 0, failed: 0 };
      for (;;) {
        const result = await this.drainOnce();
        add(total, result);
        if (result.entries === 0 || result.failed > 0) return total;
      }
    },

    stats: () => ({ ...totals }),
  };
}
