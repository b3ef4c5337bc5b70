import type { ChatMessage, DirectMessage } from '@binge/core/protocol/catalog';
import type { ChatData, DmMessageData } from '@binge/core/protocol/realtime/payloads';
import { compareIds } from './comment-threads.ts';

/**
 * A chat room's or a conversation's lines as the screen shows them: history read over HTTP, live
 * publications and this device's own sends, merged into one list. Pure, so the merge rules are
 * tested here.
 *
 * - Lines are keyed by the server's `mid`: a publication recovered after a reconnect, or met
 *   again in a refetched history, is the same line.
 * - A send shows at once as pending under its `cmid`; the publication that carries that cmid back
 *   (own messages do, HTTP and socket alike) or the publish's `ok` settles it in place.
 * - Sent lines are in `mid` order (the gateway's order), pending ones after them.
 */
export interface LogLine {
  /** The server's id; null while a send is pending or after it failed. */
  readonly mid: string | null;
  readonly cmid?: string;
  readonly from: number;
  /** DMs: the recipient. */
  readonly to?: number;
  /** Chat: the sender's display name when it was sent. */
  readonly name?: string;
  readonly text: string;
  /** ms since the epoch. */
  readonly ts: number;
  readonly state: 'pending' | 'sent' | 'failed';
  /** Why a send failed: an API or protocol code. */
  readonly failure?: string;
}

/** Lines kept per log: a screen's worth many times over, bounded for a long-open room. */
export const maxLines = 500;

export function keyOf(line: LogLine): string {
  return line.mid ?? `cmid:${line.cmid ?? ''}`;
}

export function fromChatMessage(message: ChatMessage): LogLine {
  return {
    mid: message.mid,
    ...(message.cmid === undefined ? {} : { cmid: message.cmid }),
    from: message.userId,
    name: message.name,
    text: message.text,
    ts: Date.parse(message.createdAt),
    state: 'sent',
  };
}

export function fromChatData(data: ChatData): LogLine {
  return {
    mid: data.mid,
    ...(data.cmid === undefined ? {} : { cmid: data.cmid }),
    from: data.uid,
    name: data.name,
    text: data.t,
    ts: data.ts,
    state: 'sent',
  };
}

export function fromDirectMessage(message: DirectMessage): LogLine {
  return {
    mid: message.mid,
    ...(message.cmid === undefined ? {} : { cmid: message.cmid }),
    from: message.from,
    to: message.to,
    text: message.text,
    ts: Date.parse(message.createdAt),
    state: 'sent',
  };
}

export function fromDmData(data: DmMessageData): LogLine {
  return {
    mid: data.mid,
    ...(data.cmid === undefined ? {} : { cmid: data.cmid }),
    from: data.from,
    to: data.to,
    text: data.t,
    ts: data.ts,
    state: 'sent',
  };
}

function order(a: LogLine, b: LogLine): number {
  if (a.mid !== null && b.mid !== null) return compareIds(a.mid, b.mid);
  if (a.mid !== null) return -1;
  if (b.mid !== null) return 1;
  return a.ts - b.ts;
}

/** Sent lines (history or live) merged in; a pending line with the same cmid is settled. */
export function mergeLines(
  lines: readonly LogLine[],
  incoming: readonly LogLine[],
  cap = maxLines,
): LogLine[] {
  const byKey = new Map<string, LogLine>();
  const pendingByCmid = new Map<string, string>();
  for (const line of lines) {
    byKey.set(keyOf(line), line);
    if (line.mid === null && line.cmid !== undefined) pendingByCmid.set(line.cmid, keyOf(line));
  }
  for (const line of incoming) {
    if (line.cmid !== undefined) {
      const pendingKey = pendingByCmid.get(line.cmid);
      if (pendingKey !== undefined) {
        byKey.delete(pendingKey);
        pendingByCmid.delete(line.cmid);
      }
    }
    byKey.set(keyOf(line), line);
  }
  const merged = [...byKey.values()].sort(order);
  return merged.length > cap ? merged.slice(merged.length - cap) : merged;
}

/** A send shown before the gateway answers. */
export function addPending(
  lines: readonly LogLine[],
  line: Omit<LogLine, 'mid' | 'state'> & { cmid: string },
): LogLine[] {
  return [...lines, { ...line, mid: null, state: 'pending' }];
}

/** The publish was accepted: the pending line takes its mid (unless the publication came first). */
export function settlePending(lines: readonly LogLine[], cmid: string, mid: string): LogLine[] {
  const pending = lines.find((line) => line.mid === null && line.cmid === cmid);
  if (!pending) return [...lines];
  return mergeLines(lines, [{ ...pending, mid, state: 'sent' }]);
}

export function failPending(lines: readonly LogLine[], cmid: string, failure: string): LogLine[] {
  return lines.map((line) =>
    line.mid === null && line.cmid === cmid ? { ...line, state: 'failed', failure } : line,
  );
}
