/**
 * Size and shape limits of the realtime protocol. The gateway enforces them and announces the frame
 * limit in `welcome`; clients keep under them. Changing one is a protocol change: bump
 * PROTOCOL_VERSION in frames.ts when a limit shrinks.
 */

/**
 * Largest client frame in bytes, checked before a single byte is decoded. The longest legitimate
 * client frames are a `watch` batch of 100 events with every field at its longest (about 17.2 KB)
 * and a DM of 4 000 UTF-16 units (≤ 12 000 UTF-8 bytes) plus its envelope.
 */
export const MAX_CLIENT_FRAME_BYTES = 32 * 1024;

/** Largest server frame in bytes (a batch or a recovery reply); clients refuse anything bigger. */
export const MAX_SERVER_FRAME_BYTES = 1024 * 1024;

/**
 * Deepest nesting of arrays and maps, the envelope array counting as depth 1. The deepest frame the
 * protocol defines is a batch carrying a progress publication:
 * envelope › payload › pubs › publication › data › hlc = 6.
 */
export const MAX_DEPTH = 8;

/** Most publications in one `batch` frame. */
export const MAX_BATCH_PUBLICATIONS = 500;

/** Most publications a `subscribed` reply carries on recovery; beyond it the reply says refetch. */
export const MAX_RECOVERY_PUBLICATIONS = 1000;

/** Most publications in one `historyResult`, and the upper bound of `history.lim`. */
export const MAX_HISTORY_PUBLICATIONS = 1000;

/** Widest danmu history window (`to - from`) in video-time milliseconds. */
export const MAX_HISTORY_WINDOW_MS = 10 * 60 * 1000;

/** Longest video time accepted for a position or a duration (24 h, far above a 10-minute episode). */
export const MAX_MEDIA_MS = 24 * 60 * 60 * 1000;

/** Longest channel name in characters. */
export const MAX_CHANNEL_LENGTH = 64;

/** Longest auth token (a JWT with room to spare). */
export const MAX_TOKEN_LENGTH = 4096;

/** Largest request id: rid is a uint32, 0 meaning "no reply expected / unsolicited". */
export const MAX_RID = 0xffff_ffff;

/** Most entries in one feed page, and the upper bound of `feed.lim`. */
export const MAX_FEED_PAGE = 50;
