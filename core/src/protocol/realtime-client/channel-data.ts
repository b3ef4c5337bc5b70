import type {
  ChatData,
  ChatSend,
  DanmuData,
  DanmuSend,
  DmData,
  DmSend,
  FeedData,
  LiveData,
  NotifyData,
  ProgressData,
  PublicationData,
} from '../realtime/payloads.ts';

/**
 * The publication data of a channel, from its name (docs/protocol.md "Publication data (d) by
 * channel kind"), so `subscribe('danmu:42', (d) => d.t)` is typed without a cast. A name only known
 * at run time (`string`) gets the union of every kind.
 */
export type ChannelData<C extends string> = C extends 'feed'
  ? FeedData
  : C extends `danmu:${string}`
    ? DanmuData
    : C extends `chat:${string}`
      ? ChatData
      : C extends `dm:${string}`
        ? DmData
        : C extends `progress:${string}`
          ? ProgressData
          : C extends `live:${string}`
            ? LiveData
            : C extends `notify:${string}`
              ? NotifyData
              : PublicationData;

/** Channels a client publishes to with `publish`; progress goes through `setProgress`. */
export type PublishChannel = `danmu:${string}` | `chat:${string}` | `dm:${string}`;

type WithOptionalCmid<T extends { cmid: string }> = Omit<T, 'cmid'> & { cmid?: string };

/** What `publish` takes on a channel: the send data of its kind, `cmid` generated when absent. */
export type PublishInput<C extends string> = C extends `danmu:${string}`
  ? WithOptionalCmid<DanmuSend>
  : C extends `chat:${string}`
    ? WithOptionalCmid<ChatSend>
    : C extends `dm:${string}`
      ? WithOptionalCmid<DmSend>
      : never;
