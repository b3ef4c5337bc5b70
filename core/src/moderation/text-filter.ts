import { createLexiconMatcher, type LexiconMatcher } from './lexicon-matcher.ts';
import { loadLexiconFile, parseLexiconEntries, type Lexicon } from './lexicon.ts';

/**
 * The keyword-filter hook: every danmu, chat line and DM (in the gateway) and every nickname, bio,
 * comment and review (in the API) passes it after the protocol's text policy and before storage.
 * Operators plug in their own moderation (a word list, a classifier service); the default is the
 * shipped lexicon (lexicon/README.md) with the per-kind policy below.
 */
export type TextKind = 'danmu' | 'chat' | 'dm' | 'name' | 'bio' | 'comment' | 'review';

export const textKinds: readonly TextKind[] = [
  'danmu',
  'chat',
  'dm',
  'name',
  'bio',
  'comment',
  'review',
];

export type FilterVerdict = { ok: true; text: string } | { ok: false; reason: string };

export type TextFilter = (
  text: string,
  context: { kind: TextKind; userId: number },
) => FilterVerdict | Promise<FilterVerdict>;

export const allowAll: TextFilter = (text) => ({ ok: true, text });

/** `mask` replaces each listed word with `*`; `reject` refuses the whole text. */
export type FilterAction = 'mask' | 'reject';

export type TextPolicy = Readonly<Record<TextKind, FilterAction>>;

/**
 * What the filter does per kind of text. A name is shown everywhere the user appears, so a listed
 * word is refused rather than masked (a masked name reads `***` on every comment). A DM is masked
 * whatever the mode: it reaches one person, who can block the sender. The public texts (danmu,
 * chat, comments, reviews, bios) follow BLOCKED_WORDS_MODE: masking is what viewers of danmu
 * platforms expect (the line still flies, the slur does not).
 */
export function textPolicy(mode: FilterAction): TextPolicy {
  return {
    name: 'reject',
    dm: 'mask',
    danmu: mode,
    chat: mode,
    comment: mode,
    review: mode,
    bio: mode,
  };
}

const MASK = '*';

/** Replaces every UTF-16 unit of each span with `*`, so the text keeps its length. */
function masked(text: string, spans: ReadonlyArray<readonly [number, number]>): string {
  let out = '';
  let at = 0;
  for (const [from, to] of spans) {
    out += text.slice(at, from) + MASK.repeat(to - from);
    at = to;
  }
  return out + text.slice(at);
}

/**
 * Masks until nothing is left to find. Masking turns letters into `*`, which the matcher reads as
 * a separator, so it can join what surrounded a hit into a new one (`傻他妈的逼` → `傻***逼`
 * reads `傻逼`); each round masks at least one more letter, so the loop ends.
 */
export function maskAll(matcher: LexiconMatcher, text: string): string {
  let current = text;
  for (;;) {
    const spans = matcher.spans(current);
    if (spans.length === 0) return current;
    current = masked(current, spans);
  }
}

export function createLexiconFilter(lexicon: Lexicon, policy: TextPolicy): TextFilter {
  const matcher = createLexiconMatcher(lexicon);
  return (text, context) => {
    if (policy[context.kind] === 'reject') {
      return matcher.test(text) ? { ok: false, reason: 'blocked word' } : { ok: true, text };
    }
    return { ok: true, text: maskAll(matcher, text) };
  };
}

export interface KeywordFilterOptions {
  /** Lexicon entries (lexicon.ts): `term`, `*term*` to match inside words, `!word` to allow. */
  words: readonly string[];
  /** The action on the kinds BLOCKED_WORDS_MODE governs (textPolicy); `mask` by default. */
  mode?: FilterAction;
  /** The action per kind, instead of textPolicy(mode). */
  policy?: TextPolicy;
}

export function createKeywordFilter(options: KeywordFilterOptions): TextFilter {
  return createLexiconFilter(
    parseLexiconEntries(options.words),
    options.policy ?? textPolicy(options.mode ?? 'mask'),
  );
}

/**
 * The filter of a lexicon file (lexicon.ts syntax: one entry per line, `#` comments). Read once
 * at start; a missing file throws, which stops the start.
 */
export function loadKeywordFilter(file: string, mode: FilterAction): TextFilter {
  return createLexiconFilter(loadLexiconFile(file), textPolicy(mode));
}
