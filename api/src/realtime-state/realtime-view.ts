import type {
  ChatMessage,
  Danmu,
  DirectMessage,
  WatchProgress,
} from '@binge/core/protocol/catalog';
import type { ChatRecord, DanmuRecord, DmRecord, ProgressRecord } from '@binge/core/realtime-state';

/**
 * Store records to wire shapes. A client message id is the sender's own idempotency key: it is
 * handed back to its author (to settle pending sends, as the channel does) and to nobody else.
 */

function iso(ms: number): string {
  return new Date(ms).toISOString();
}

export function toWatchProgress(record: ProgressRecord): WatchProgress {
  const { wallMs, counter, node } = record.hlc;
  return {
    episodeId: record.episodeId,
    positionMs: record.posMs,
    durationMs: record.durMs,
    hlc: { wallMs, counter, node },
  };
}

export function toChatMessage(record: ChatRecord, viewerId: number | null): ChatMessage {
  return {
    mid: record.mid,
    roomId: record.roomId,
    userId: record.userId,
    name: record.name,
    text: record.text,
    ...(record.userId === viewerId ? { cmid: record.cmid } : {}),
    createdAt: iso(record.createdAtMs),
  };
}

export function toDirectMessage(record: DmRecord, viewerId: number): DirectMessage {
  return {
    mid: record.mid,
    from: record.from,
    to: record.to,
    text: record.text,
    ...(record.from === viewerId ? { cmid: record.cmid } : {}),
    createdAt: iso(record.createdAtMs),
  };
}

export function toDanmu(record: DanmuRecord, viewerId: number | null): Danmu {
  return {
    mid: record.mid,
    episodeId: record.episodeId,
    userId: record.userId,
    text: record.text,
    posMs: record.posMs,
    mode: record.mode,
    colour: record.colour,
    size: record.size,
    ...(record.userId === viewerId ? { cmid: record.cmid } : {}),
    createdAt: iso(record.createdAtMs),
  };
}
