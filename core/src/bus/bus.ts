/**
 * The bus: fire-and-forget publish/subscribe between processes (Redis pub/sub when scaled, an
 * in-process emitter when embedded). Messages are JSON-serialisable values. Delivery is at most
 * once and only to subscribers present at publish time; durable history belongs to streams.
 */
export type BusHandler<T = unknown> = (message: T, topic: string) => void;

export interface Bus {
  readonly kind: 'memory' | 'redis';
  publish(topic: string, message: unknown): Promise<void>;
  /** Resolves once the subscription is active; the returned function unsubscribes. */
  subscribe<T = unknown>(topic: string, handler: BusHandler<T>): Promise<() => Promise<void>>;
  close(): Promise<void>;
}

/** Topic names in one place, so publishers and subscribers agree. */
export const topics = {
  mediaProgress: 'media.progress',
  /** Notifications for one user, pushed by the realtime gateway on `notify:<userId>`. */
  notify: 'notify',
  /** A moderator banned an account: every gateway node closes its sockets (close code 4504). */
  userBanned: 'user.banned',
  /** The active ranker model changed (trained and promoted): registries reload it now. */
  rankerModel: 'ranker.model',
} as const;

/** What the training job publishes on `ranker.model` after it promotes a model. */
export interface RankerModelMessage {
  /** The newly active version. */
  version: string;
}

/** What the API publishes on `user.banned` once the ban is committed. */
export interface UserBannedMessage {
  userId: number;
  /** The moderator's reason, for the gateway's log. */
  reason: string;
  /** When the ban was committed, ms since epoch. */
  ts: number;
}

/**
 * What a service publishes on `notify` to reach a user's devices. `id` must be unique per
 * notification: every gateway node hears the message and appends it with `id` as the idempotency
 * key, so it is stored and pushed exactly once however many nodes run.
 */
export interface NotifyMessage {
  id: string;
  userId: number;
  /** Kind, e.g. `episode.new`, `dm.new`: `[a-z][a-z0-9_.]{0,31}`. */
  kind: string;
  text: string;
  /** A same-origin path to open, e.g. `/series/12`. */
  url?: string;
  /** When it happened, ms since epoch; the gateway's clock when absent. */
  ts?: number;
}

/** What the media worker publishes on `media.progress` while it transcodes an episode. */
export interface MediaProgressMessage {
  jobId: string;
  episodeId: number;
  stage: 'probe' | 'transcode' | 'poster' | 'sprite' | 'publish' | 'done' | 'failed';
  /** 0..1 across the whole job. */
  progress: number;
  error?: string;
}
