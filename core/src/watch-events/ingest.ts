import type { Logger } from '../log/logger.ts';
import {
  checkWatchEvent,
  MAX_CLOCK_AHEAD_MS,
  MAX_EVENT_AGE_MS,
  MAX_WATCH_BATCH,
  POSITION_SLACK_MS,
  type WatchAck,
  type WatchEventInput,
  type WatchRejectCode,
  type WatchRejection,
} from '../protocol/watch-events.ts';
import type { DedupeStore } from './dedupe.ts';
import type { EpisodeCache, PlayableEpisode } from './episode-cache.ts';
import type { StoredWatchEvent } from './event.ts';
import { encodeStoredEvent } from './event-codec.ts';
import type { EventBudget } from './event-budget.ts';
import { serverEventId } from './event-id.ts';
import { StreamFullError, type EventStream } from './stream.ts';

/**
 * Checks a batch of watch events from one signed-in user and appends the good ones to the event
 * stream; the gateway's `watch` frame and `POST /api/v1/events` both call it. Each event is
 * judged on its own, in this order: its shape (checkWatchEvent), its episode (playable), its
 * positions against the episode's duration, its clock, the user's budget, duplicates. Accepted
 * events are stamped with the server's clock and their server id and appended in one call.
 *
 * Never throws for a backend that does not answer: the events it concerns are refused TRY_AGAIN
 * (and their dedupe marks and budget given back), so the client resends them later.
 */
export interface WatchIngester {
  ingest(userId: number, raw: readonly unknown[], source: 'ws' | 'http'): Promise<WatchAck>;
}

export interface WatchIngesterDeps {
  episodes: EpisodeCache;
  budget: EventBudget;
  dedupe: DedupeStore;
  stream: Pick<EventStream, 'append'>;
  logger: Logger;
  now?: () => number;
}

/** A batch the transports should have refused already: empty, too long, or not a list. */
export class WatchBatchError extends TypeError {
  constructor(message: string) {
    super(message);
    this.name = 'WatchBatchError';
  }
}

const TRY_AGAIN_MESSAGE = 'the event store did not answer; resend later';

interface Candidate {
  index: number;
  input: WatchEventInput;
}

interface Accepted {
  index: number;
  event: StoredWatchEvent;
}

function positionProblem(input: WatchEventInput, episode: PlayableEpisode): string | null {
  // A duration of 0 is unknown (media not probed yet): the schema's maximum is the only bound.
  if (episode.durationMs === 0) return null;
  const limit = episode.durationMs + POSITION_SLACK_MS;
  if (input.pos > limit)
    return `pos: ${input.pos} ms is beyond the episode's ${episode.durationMs} ms`;
  if (input.from !== undefined && input.from > limit)
    return `from: ${input.from} ms is beyond the episode's ${episode.durationMs} ms`;
  return null;
}

function clockProblem(at: number, receivedAt: number): [WatchRejectCode, string] | null {
  if (at > receivedAt + MAX_CLOCK_AHEAD_MS)
    return [
      'CLOCK_SKEW',
      `at: ${Math.round((at - receivedAt) / 1000)} s ahead of the server clock (at most ${MAX_CLOCK_AHEAD_MS / 1000} s); fix the device clock`,
    ];
  if (at < receivedAt - MAX_EVENT_AGE_MS)
    return [
      'TOO_OLD',
      `at: ${Math.floor((receivedAt - at) / 86_400_000)} days ago; events older than ${MAX_EVENT_AGE_MS / 86_400_000} days are refused`,
    ];
  return null;
}

export function createWatchIngester(deps: WatchIngesterDeps): WatchIngester {
  const { episodes, budget, dedupe, stream, logger } = deps;
  const now = deps.now ?? Date.now;

  return {
    async ingest(userId, raw, source) {
      if (!Array.isArray(raw)) throw new WatchBatchError('events: not a list');
      if (raw.length === 0 || raw.length > MAX_WATCH_BATCH)
        throw new WatchBatchError(`events: 1 to ${MAX_WATCH_BATCH} per batch, got ${raw.length}`);
      const receivedAt = now();
      const rejections: WatchRejection[] = [];
      const reject = (index: number, code: WatchRejectCode, message: string) =>
        rejections.push({ i: index, c: code, m: message.slice(0, 200) });
      const answer = (n: number): WatchAck => ({
        n,
        rej: rejections.sort((a, b) => a.i - b.i),
      });

      const candidates: Candidate[] = [];
      raw.forEach((value, index) => {
        const checked = checkWatchEvent(value);
        if (checked.ok) candidates.push({ index, input: checked.event });
        else reject(index, checked.code, checked.message);
      });
      if (candidates.length === 0) return answer(0);

      let known: Map<number, PlayableEpisode | null>;
      try {
        known = await episodes.get(candidates.map((c) => c.input.eid));
      } catch (error) {
        logger.warn({ err: error, userId }, 'episode lookup failed; watch events refused');
        for (const c of candidates) reject(c.index, 'TRY_AGAIN', TRY_AGAIN_MESSAGE);
        return answer(0);
      }

      const valid: Accepted[] = [];
      for (const { index, input } of candidates) {
        const episode = known.get(input.eid) ?? null;
        if (episode === null) {
          reject(index, 'EPISODE_NOT_FOUND', `eid: no playable episode ${input.eid}`);
          continue;
        }
        const position = positionProblem(input, episode);
        if (position !== null) {
          reject(index, 'POSITION_OUT_OF_RANGE', position);
          continue;
        }
        const clock = clockProblem(input.at, receivedAt);
        if (clock !== null) {
          reject(index, clock[0], clock[1]);
          continue;
        }
        valid.push({
          index,
          event: {
            id: serverEventId(userId, input.id),
            clientId: input.id,
            userId,
            episodeId: input.eid,
            seriesId: episode.seriesId,
            type: input.t,
            positionMs: input.pos,
            durationMs: episode.durationMs,
            fromMs: input.from ?? null,
            rate: input.rate ?? null,
            impression: input.imp ?? null,
            // A clock a little ahead (within MAX_CLOCK_AHEAD_MS) must not put the event after
            // the moment the server received it.
            clientAt: Math.min(input.at, receivedAt),
            receivedAt,
            source,
          },
        });
      }
      if (valid.length === 0) return answer(0);

      let granted: number;
      try {
        granted = await budget.take(userId, valid.length);
      } catch (error) {
        logger.warn({ err: error, userId }, 'event budget unavailable; watch events refused');
        for (const v of valid) reject(v.index, 'TRY_AGAIN', TRY_AGAIN_MESSAGE);
        return answer(0);
      }
      for (const v of valid.slice(granted))
        reject(
          v.index,
          'RATE_LIMITED',
          `over the budget of ${budget.perMinute} events a minute; resend later`,
        );
      const withinBudget = valid.slice(0, granted);
      if (withinBudget.length === 0) return answer(0);

      let fresh: Accepted[];
      try {
        const claims = await dedupe.claim(withinBudget.map((v) => v.event.id));
        fresh = withinBudget.filter((v, i) => {
          if (claims[i]) return true;
          reject(v.index, 'DUPLICATE', `id: event ${v.event.clientId} was already accepted`);
          return false;
        });
      } catch (error) {
        logger.warn({ err: error, userId }, 'dedupe store unavailable; watch events refused');
        // Some marks may have been set before the failure: drop them, or the resend would be
        // answered DUPLICATE for events never appended. (A mark of an event accepted earlier may
        // go too; its resend is then accepted, and the consumer stores it once.)
        await dedupe.release(withinBudget.map((v) => v.event.id)).catch(() => undefined);
        for (const v of withinBudget) reject(v.index, 'TRY_AGAIN', TRY_AGAIN_MESSAGE);
        await budget.refund(userId, withinBudget.length).catch(() => undefined);
        return answer(0);
      }
      // Duplicates were delivered before: they do not spend the budget again.
      if (fresh.length < withinBudget.length)
        await budget.refund(userId, withinBudget.length - fresh.length).catch(() => undefined);
      if (fresh.length === 0) return answer(0);

      try {
        await stream.append(fresh.map((v) => encodeStoredEvent(v.event)));
      } catch (error) {
        logger.warn(
          { err: error, userId, events: fresh.length },
          'event stream append failed; watch events refused',
        );
        // Not stored: a resend must be accepted, not answered DUPLICATE.
        await dedupe
          .release(fresh.map((v) => v.event.id))
          .catch((releaseError: unknown) =>
            logger.warn({ err: releaseError }, 'could not release dedupe marks'),
          );
        await budget.refund(userId, fresh.length).catch(() => undefined);
        const message =
          error instanceof StreamFullError
            ? 'the event store is full (its consumers are behind); resend later'
            : TRY_AGAIN_MESSAGE;
        for (const v of fresh) reject(v.index, 'TRY_AGAIN', message);
        return answer(0);
      }
      return answer(fresh.length);
    },
  };
}
