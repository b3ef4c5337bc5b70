import type { WatchEventType } from '../protocol/watch-events.ts';

/**
 * A watch event as the ingester accepted it: checked, stamped with the server's clock and given
 * its server id, on its way through the event stream into watch_events. The ranker's consumer and
 * its feature updates read this shape.
 */
export interface StoredWatchEvent {
  /** Server id: derived from (user, client event id), so a resend maps to the same id. */
  id: string;
  /** The client's own id of the event (its idempotency key). */
  clientId: string;
  userId: number;
  episodeId: number;
  seriesId: number;
  type: WatchEventType;
  positionMs: number;
  /** The episode's duration when the event was accepted. */
  durationMs: number;
  /** Seek only. */
  fromMs: number | null;
  /** Speed only. */
  rate: number | null;
  impression: string | null;
  /** The client's clock (ms), clamped to be no later than receivedAt. */
  clientAt: number;
  /** The server's stamp (ms), given before the event entered the stream. */
  receivedAt: number;
  source: 'ws' | 'http';
}
