import type { TextFilter } from '@binge/core/moderation/text-filter';
import {
  checkDiscussionText,
  discussionTextMessages,
  type DiscussionTextKind,
} from '@binge/core/protocol/discussion-text';
import { AppError } from '../errors/app-error.ts';

/**
 * A comment's or review's text as it will be stored: the protocol's text policy first (trimmed,
 * no control or bidi-override characters, the length in characters), then the keyword filter,
 * which masks blocked words or refuses the text (TEXT_BLOCKED). Markup is left as it is: it is
 * text, and every client renders it as text.
 */
export async function checkedText(
  filter: TextFilter,
  input: string,
  kind: DiscussionTextKind,
  userId: number,
): Promise<string> {
  const verdict = checkDiscussionText(input, kind);
  if (!verdict.ok)
    throw new AppError('VALIDATION_FAILED', `body/body ${discussionTextMessages[verdict.reason]}`);
  if (verdict.text.length === 0) return verdict.text;
  const filtered = await filter(verdict.text, { kind, userId });
  if (!filtered.ok)
    throw new AppError('TEXT_BLOCKED', `The ${kind} contains blocked words (${filtered.reason})`);
  // An operator's filter may rewrite freely; what it returns must still be a valid text.
  const rewritten = checkDiscussionText(filtered.text, kind);
  if (!rewritten.ok)
    throw new AppError('TEXT_BLOCKED', `The ${kind} is ${rewritten.reason} once filtered`);
  return rewritten.text;
}
