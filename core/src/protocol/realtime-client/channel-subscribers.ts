import type { Pub, RecoveryPosition } from '../realtime/payloads.ts';
import type { ChannelData } from './channel-data.ts';
import {
  createEmitter,
  rethrowLater,
  type Emitter,
  type Listener,
  type ListenerErrorHandler,
} from './emitter.ts';
import type { RealtimeError } from './realtime-error.ts';
import type { SubscriptionView } from './subscriptions.ts';

/**
 * What the app holds when it subscribes: a handle per `subscribe` call, and the set of handles of
 * one channel, which share a single subscription on the wire (two components showing the same
 * episode's danmu cost one subscribe and one copy of each publication). The wire side, recovery
 * positions included, is the client's and subscriptions.ts's; this module fans out to the handles.
 */

export type SubscriptionState = 'subscribing' | 'live' | 'closed';

export interface PublicationMeta {
  readonly ch: string;
  /** The stream offset; absent on live channels. */
  readonly off?: number;
  /** Danmu thinned away by the gateway just before this one (lossy channels only). */
  readonly skipped?: number;
  /** Delivered from a recovery reply rather than live. */
  readonly recovered: boolean;
}

export type PublicationHandler<C extends string> = (
  data: ChannelData<C>,
  meta: PublicationMeta,
) => void;

export interface SubscriptionEvents {
  /** Subscribed without a position: load the channel's state over HTTP if it matters. */
  fresh: { readonly ch: string };
  /** Resubscribed with a position; the missed publications (`count`) were delivered first. */
  recovered: { readonly ch: string; readonly count: number };
  /** History no longer reaches the position: reload the channel's state over HTTP. */
  refetch: { readonly ch: string; readonly reason: string };
  /** The gateway refused or dropped the subscription; it is closed. */
  unsubscribed: {
    readonly ch: string;
    readonly code: number | null;
    readonly error: RealtimeError | null;
  };
}

export interface Subscription<C extends string = string> {
  readonly ch: C;
  readonly state: SubscriptionState;
  /** The last (epoch, offset) delivered; null on live channels and before the first reply. */
  readonly position: RecoveryPosition | null;
  on<K extends keyof SubscriptionEvents>(
    name: K,
    listener: Listener<SubscriptionEvents[K]>,
  ): () => void;
  /** Ends this subscription; the channel is unsubscribed on the wire with its last one. */
  unsubscribe(): void;
}

/** The handles of one channel. */
export interface ChannelSubscribers {
  readonly ch: string;
  readonly size: number;
  add(handler: (data: unknown, meta: PublicationMeta) => void): Subscription;
  /** Hands a publication to every open handle, in the order they subscribed. */
  deliver(pub: Pub, meta: Omit<PublicationMeta, 'ch' | 'off'>): void;
  emit<K extends keyof SubscriptionEvents>(name: K, event: SubscriptionEvents[K]): void;
  /** Closes every handle, after telling them why when the gateway dropped the channel. */
  closeAll(event?: SubscriptionEvents['unsubscribed']): void;
}

export interface ChannelSubscribersOptions {
  /** The channel's row in the subscription table, undefined once it left the table. */
  view: () => SubscriptionView | undefined;
  /** The last handle unsubscribed. */
  onEmpty: () => void;
  onListenerError?: ListenerErrorHandler;
}

interface Handle {
  readonly handler: (data: unknown, meta: PublicationMeta) => void;
  readonly events: Emitter<SubscriptionEvents>;
  closed: boolean;
}

export function createChannelSubscribers(
  ch: string,
  options: ChannelSubscribersOptions,
): ChannelSubscribers {
  const handles = new Set<Handle>();
  const reportError = options.onListenerError ?? rethrowLater;

  function close(handle: Handle): void {
    handle.closed = true;
    handle.events.clear();
    handles.delete(handle);
  }

  return {
    ch,
    get size() {
      return handles.size;
    },

    add(handler) {
      const handle: Handle = {
        handler,
        events: createEmitter<SubscriptionEvents>(options.onListenerError),
        closed: false,
      };
      handles.add(handle);
      return {
        ch,
        get state(): SubscriptionState {
          if (handle.closed) return 'closed';
          return options.view()?.status === 'active' ? 'live' : 'subscribing';
        },
        get position() {
          return handle.closed ? null : (options.view()?.position ?? null);
        },
        on: (name, listener) => handle.events.on(name, listener),
        unsubscribe() {
          if (handle.closed) return;
          close(handle);
          if (handles.size === 0) options.onEmpty();
        },
      };
    },

    deliver(pub, meta) {
      const full: PublicationMeta = {
        ch,
        ...(pub.off === undefined ? {} : { off: pub.off }),
        ...meta,
      };
      for (const handle of [...handles]) {
        if (handle.closed) continue;
        try {
          handle.handler(pub.d, full);
        } catch (error) {
          reportError(error, `publication on ${ch}`);
        }
      }
    },

    emit(name, event) {
      for (const handle of [...handles]) handle.events.emit(name, event);
    },

    closeAll(event) {
      for (const handle of [...handles]) {
        if (event !== undefined) handle.events.emit('unsubscribed', event);
        close(handle);
      }
    },
  };
}
