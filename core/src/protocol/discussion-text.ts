/**
 * The text policy of comments and reviews. Pure and browser-safe: the API applies it before the
 * keyword filter and storage, and the web client can apply it before sending so the user sees the
 * same verdict at once.
 *
 * Unlike danmu (realtime/danmu-text.ts), markup is not refused: a comment is stored verbatim as
 * text and every client renders it as text, so `<b>hi</b>` is shown as those nine characters.
 * Refused, because they are invisible tricks rather than text anyone means to write:
 * - C0 and C1 control characters and DEL, except tab, LF and CR (CR LF and lone CR become LF);
 * - bidi embeddings, overrides and isolates U+202A–U+202E, U+2066–U+2069 ("Trojan Source",
 *   CVE-2021-42574), which would reorder other readers' view of the text around them;
 * - lone surrogates (not text at all; PostgreSQL would refuse them half-way).
 *
 * Leading and trailing whitespace is trimmed. Length is counted in grapheme clusters (what a
 * reader sees as characters, so an emoji with modifiers is one), after a cheap UTF-16 cap that
 * bounds the work on hostile input.
 */
import { graphemeLength } from './realtime/danmu-text.ts';

export type DiscussionTextKind = 'comment' | 'review';

export const discussionTextLimits = {
  comment: { minGraphemes: 1, maxGraphemes: 500 },
  review: { minGraphemes: 0, maxGraphemes: 2000 },
} as const satisfies Record<DiscussionTextKind, { minGraphemes: number; maxGraphemes: number }>;

/** UTF-16 units a text may have before it is even looked at: 4 per allowed character. */
export const maxDiscussionUnits = (kind: DiscussionTextKind) =>
  discussionTextLimits[kind].maxGraphemes * 4;

export type DiscussionTextRejection = 'empty' | 'tooLong' | 'control' | 'bidi' | 'surrogate';

export type DiscussionTextVerdict =
  { ok: true; text: string } | { ok: false; reason: DiscussionTextRejection };

// The control characters are the point of this pattern.
// eslint-disable-next-line no-control-regex
const controlPattern = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F]/;
const bidiPattern = /[\u202A-\u202E\u2066-\u2069]/;
// A high surrogate not followed by a low one, or a low one not preceded by a high one.
const loneSurrogatePattern =
  /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

export function checkDiscussionText(
  input: string,
  kind: DiscussionTextKind,
): DiscussionTextVerdict {
  const limits = discussionTextLimits[kind];
  if (input.length > maxDiscussionUnits(kind)) return { ok: false, reason: 'tooLong' };
  if (loneSurrogatePattern.test(input)) return { ok: false, reason: 'surrogate' };
  if (controlPattern.test(input)) return { ok: false, reason: 'control' };
  if (bidiPattern.test(input)) return { ok: false, reason: 'bidi' };
  const text = input.replace(/\r\n?/g, '\n').trim();
  const length = graphemeLength(text);
  if (length < limits.minGraphemes) return { ok: false, reason: 'empty' };
  if (length > limits.maxGraphemes) return { ok: false, reason: 'tooLong' };
  return { ok: true, text };
}

/** What a rejection means, for the API's problem detail and the client's hint. */
export const discussionTextMessages: Record<DiscussionTextRejection, string> = {
  empty: 'is empty after trimming',
  tooLong: 'is too long',
  control: 'holds control characters',
  bidi: 'holds bidi override characters',
  surrogate: 'holds a lone surrogate',
};
