import type { DmReceiptData } from '@binge/core/protocol/realtime/payloads';
import { compareIds } from './comment-threads.ts';
import type { LogLine } from './message-log.ts';

/**
 * Direct messages grouped by the other person, and the receipts that say how far each one got.
 * The API answers the newest DMs of the account in one list (GET /me/dms); the conversations are
 * derived from it and from the `dm:<me>` channel, so there is no second source to disagree with.
 */
export interface Conversation {
  readonly peerId: number;
  readonly last: LogLine;
  /** Messages from the peer after what this device read (this page's knowledge only). */
  readonly unread: number;
}

export function peerOf(line: LogLine, me: number): number {
  return line.from === me ? (line.to ?? line.from) : line.from;
}

/** Newest conversation first. */
export function conversationsOf(
  lines: readonly LogLine[],
  me: number,
  readUpTo: ReadonlyMap<number, string> = new Map(),
): Conversation[] {
  const byPeer = new Map<number, { last: LogLine; unread: number }>();
  for (const line of lines) {
    const peerId = peerOf(line, me);
    const entry = byPeer.get(peerId) ?? { last: line, unread: 0 };
    entry.last = line;
    const read = readUpTo.get(peerId);
    if (
      line.from !== me &&
      line.mid !== null &&
      (read === undefined || compareIds(line.mid, read) > 0)
    )
      entry.unread += 1;
    byPeer.set(peerId, entry);
  }
  return [...byPeer.entries()]
    .map(([peerId, entry]) => ({ peerId, last: entry.last, unread: entry.unread }))
    .sort((a, b) => b.last.ts - a.last.ts);
}

export function conversationWith(lines: readonly LogLine[], me: number, peerId: number): LogLine[] {
  return lines.filter((line) => peerOf(line, me) === peerId);
}

/** How far the peer got through my messages: the highest mid delivered and read. */
export interface ReceiptMarks {
  readonly delivered: string | null;
  readonly read: string | null;
}

const noMarks: ReceiptMarks = { delivered: null, read: null };

function later(a: string | null, b: string): string {
  return a === null || compareIds(b, a) > 0 ? b : a;
}

/**
 * A receipt from the `dm:<me>` channel applied to what the peer reached. Receipts are cumulative
 * (docs/protocol.md: "by has delivered or read everything up to mid"), and read implies delivered.
 */
export function advanceMarks(
  current: ReceiptMarks | undefined,
  receipt: DmReceiptData,
): ReceiptMarks {
  const marks = current ?? noMarks;
  return {
    delivered: later(marks.delivered, receipt.mid),
    read: receipt.r === 2 ? later(marks.read, receipt.mid) : marks.read,
  };
}

export function applyReceipt(
  marks: ReadonlyMap<number, ReceiptMarks>,
  receipt: DmReceiptData,
): Map<number, ReceiptMarks> {
  const next = new Map(marks);
  next.set(receipt.by, advanceMarks(marks.get(receipt.by), receipt));
  return next;
}

export type DeliveryState = 'pending' | 'failed' | 'sent' | 'delivered' | 'read';

/** What a message I sent shows under it. */
export function deliveryOf(line: LogLine, marks: ReceiptMarks | undefined): DeliveryState {
  if (line.state !== 'sent' || line.mid === null) return line.state;
  if (marks?.read && compareIds(line.mid, marks.read) <= 0) return 'read';
  if (marks?.delivered && compareIds(line.mid, marks.delivered) <= 0) return 'delivered';
  return 'sent';
}

/** The newest message from the peer, the one a read receipt names. */
export function newestFrom(lines: readonly LogLine[], peerId: number): string | null {
  let newest: string | null = null;
  for (const line of lines)
    if (line.from === peerId && line.mid !== null) newest = later(newest, line.mid);
  return newest;
}
