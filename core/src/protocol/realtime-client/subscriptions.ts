import type {
  Pub,
  RecoveryPosition,
  SubscribePayload,
  SubscribedPayload,
  UnsubscribePayload,
} from '../realtime/payloads.ts';

/**
 * The client's table of subscribed channels with the last (epoch, offset) seen on each: the
 * client half of "Recovery" in docs/protocol.md (the Centrifugo model). Offsets are gapless per
 * epoch, so the table alone can tell a publication to deliver from a duplicate (drop it) and a gap
 * (recover it), and after a reconnect it produces the subscribe requests that carry each position.
 *
 * Pure: the socket wrapper feeds it the decoded frames and sends the frames it returns.
 */

/**
 * - `pending`: a subscribe is on its way; publications cannot arrive before its `subscribed` reply.
 * - `active`: live; publications are checked against `position`.
 * - `recovering`: a gap was seen; publications are dropped until the resubscribe's reply brings the
 *   missed ones (and those dropped here) in order.
 */
export type SubscriptionStatus = 'pending' | 'active' | 'recovering';

export interface SubscriptionView {
  readonly ch: string;
  readonly status: SubscriptionStatus;
  /** null on channels without history (live) and before the first reply. */
  readonly position: RecoveryPosition | null;
}

export type PublicationOutcome =
  /**
   * In order (or on a channel without offsets): hand `pub` to the app. On a lossy channel (danmu,
   * which the server thins for a slow client) a gap is delivered too, `skipped` saying how many
   * publications were thinned away; the window can be refilled with `history` if it matters.
   */
  | { readonly kind: 'deliver'; readonly pub: Pub; readonly skipped?: number }
  /** `off` ≤ the last seen: already delivered (a batch retried, a recovery overlap). Drop it. */
  | { readonly kind: 'duplicate'; readonly off: number }
  /**
   * `off` > last + 1: publications were lost. Drop this one and send `unsubscribe` then
   * `subscribe` with the recovery position (the gateway answers a second subscribe on one
   * connection with ALREADY_SUBSCRIBED); the reply brings everything after `position`.
   */
  | {
      readonly kind: 'gap';
      readonly expected: number;
      readonly got: number;
      readonly unsubscribe: UnsubscribePayload;
      readonly subscribe: SubscribePayload;
    }
  /** Not subscribed, or waiting for a reply that will carry this publication anyway. Drop it. */
  | { readonly kind: 'ignore'; readonly reason: 'not-subscribed' | 'pending' | 'recovering' };

export type SubscribedOutcome =
  /** A fresh subscription: load the channel's state over HTTP if needed, then go live. */
  | { readonly kind: 'fresh'; readonly ch: string }
  /** Recovered: deliver `pubs` in this order (already-seen ones removed), then go live. */
  | { readonly kind: 'recovered'; readonly ch: string; readonly pubs: readonly Pub[] }
  /**
   * History no longer reaches (or the reply did not fit the position sent): reload the channel's
   * state over HTTP; live publications continue from the reply's position.
   */
  | { readonly kind: 'refetch'; readonly ch: string; readonly reason: string }
  /** A reply for a channel not in the table (unsubscribed meanwhile). */
  | { readonly kind: 'ignore'; readonly ch: string };

export interface SubscriptionTable {
  /** Adds a channel and returns its subscribe request (with a position when one is known). */
  subscribe(ch: string, position?: RecoveryPosition): SubscribePayload;
  /** Removes a channel; returns its unsubscribe request, or null when it was not in the table. */
  unsubscribe(ch: string): UnsubscribePayload | null;
  onPublication(ch: string, pub: Pub): PublicationOutcome;
  onSubscribed(reply: SubscribedPayload): SubscribedOutcome;
  /**
   * After a reconnect: every channel goes back to `pending` and gets a subscribe request, with
   * `rc: {ep, off}` where a position is known, in the order the channels were added.
   */
  resubscribeFrames(): SubscribePayload[];
  get(ch: string): SubscriptionView | undefined;
  list(): SubscriptionView[];
}

interface Entry {
  status: SubscriptionStatus;
  position: RecoveryPosition | null;
  /** The position the pending subscribe carried; null for a fresh subscribe. */
  sent: RecoveryPosition | null;
}

function subscribeFrame(ch: string, position: RecoveryPosition | null): SubscribePayload {
  return position === null ? { ch } : { ch, rc: { ep: position.ep, off: position.off } };
}

export interface SubscriptionTableOptions {
  /**
   * Channels whose gaps are thinning, not loss (docs/protocol.md "Batching and backpressure"):
   * a gap advances the position instead of triggering recovery. Default: `danmu:` channels.
   */
  lossy?: (ch: string) => boolean;
}

const danmuIsLossy = (ch: string): boolean => ch.startsWith('danmu:');

export function createSubscriptionTable(options: SubscriptionTableOptions = {}): SubscriptionTable {
  const lossy = options.lossy ?? danmuIsLossy;
  const entries = new Map<string, Entry>();

  function view(ch: string, entry: Entry): SubscriptionView {
    return { ch, status: entry.status, position: entry.position };
  }

  /** The position a reply announces, or null when it carries none (live channels). */
  function replyPosition(reply: SubscribedPayload): RecoveryPosition | null {
    return reply.ep !== undefined && reply.off !== undefined
      ? { ep: reply.ep, off: reply.off }
      : null;
  }

  function refetch(ch: string, entry: Entry, reply: SubscribedPayload, reason: string) {
    entry.position = replyPosition(reply);
    entry.status = 'active';
    entry.sent = null;
    return { kind: 'refetch', ch, reason } as const;
  }

  return {
    subscribe(ch, position) {
      const start = position === undefined ? null : { ep: position.ep, off: position.off };
      entries.set(ch, { status: 'pending', position: start, sent: start });
      return subscribeFrame(ch, start);
    },

    unsubscribe(ch) {
      return entries.delete(ch) ? { ch } : null;
    },

    onPublication(ch, pub) {
      const entry = entries.get(ch);
      if (entry === undefined) return { kind: 'ignore', reason: 'not-subscribed' };
      if (entry.status !== 'active') return { kind: 'ignore', reason: entry.status };
      const { position } = entry;
      if (pub.off === undefined || position === null) {
        // Live channels carry no offsets; nothing to order or recover.
        return { kind: 'deliver', pub };
      }
      if (pub.off <= position.off) return { kind: 'duplicate', off: pub.off };
      if (pub.off !== position.off + 1 && lossy(ch)) {
        entry.position = { ep: position.ep, off: pub.off };
        return { kind: 'deliver', pub, skipped: pub.off - position.off - 1 };
      }
      if (pub.off !== position.off + 1) {
        entry.status = 'recovering';
        entry.sent = { ...position };
        return {
          kind: 'gap',
          expected: position.off + 1,
          got: pub.off,
          unsubscribe: { ch },
          subscribe: subscribeFrame(ch, position),
        };
      }
      entry.position = { ep: position.ep, off: pub.off };
      return { kind: 'deliver', pub };
    },

    onSubscribed(reply) {
      const { ch } = reply;
      const entry = entries.get(ch);
      if (entry === undefined || entry.status === 'active') return { kind: 'ignore', ch };
      const sent = entry.sent;

      // `rc` is RecoveryOutcome of payloads.ts (0 fresh, 1 recovered, 2 refetch), compared as
      // literals so this module loads none of payloads.ts's runtime schemas.
      if (reply.rc === 2) {
        return refetch(ch, entry, reply, 'history no longer reaches the position');
      }
      if (reply.rc === 0) {
        // A position was sent but the server started afresh: what was missed is unknown.
        if (sent !== null) return refetch(ch, entry, reply, 'position sent, fresh reply');
        entry.position = replyPosition(reply);
        entry.status = 'active';
        return { kind: 'fresh', ch };
      }
      // Recovered.
      if (sent === null) return refetch(ch, entry, reply, 'recovered without a position sent');
      if (reply.ep !== undefined && reply.ep !== sent.ep) {
        return refetch(ch, entry, reply, 'the epoch changed');
      }
      const known = entry.position ?? sent;
      let last = known.off;
      const pubs: Pub[] = [];
      for (const pub of reply.pubs ?? []) {
        if (pub.off === undefined)
          return refetch(ch, entry, reply, 'a recovered publication lacks off');
        if (pub.off <= last) continue;
        if (pub.off !== last + 1)
          return refetch(ch, entry, reply, 'the recovered publications have a gap');
        pubs.push(pub);
        last = pub.off;
      }
      if (reply.off !== undefined && reply.off > last) {
        return refetch(ch, entry, reply, 'the recovered publications stop short of the stream');
      }
      entry.position = { ep: known.ep, off: last };
      entry.status = 'active';
      entry.sent = null;
      return { kind: 'recovered', ch, pubs };
    },

    resubscribeFrames() {
      const frames: SubscribePayload[] = [];
      for (const [ch, entry] of entries) {
        entry.status = 'pending';
        entry.sent = entry.position === null ? null : { ...entry.position };
        frames.push(subscribeFrame(ch, entry.position));
      }
      return frames;
    },

    get(ch) {
      const entry = entries.get(ch);
      return entry === undefined ? undefined : view(ch, entry);
    },

    list() {
      return [...entries].map(([ch, entry]) => view(ch, entry));
    },
  };
}
