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
} as const;

/** What the media worker publishes on `media.progress` while it transcodes an episode. */
export interface MediaProgressMessage {
  jobId: string;
  episodeId: number;
  stage: 'probe' | 'transcode' | 'poster' | 'sprite' | 'publish' | 'done' | 'failed';
  /** 0..1 across the whole job. */
  progress: number;
  error?: string;
}
