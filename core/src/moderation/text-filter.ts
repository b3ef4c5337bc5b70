import { readFileSync } from 'node:fs';
/**
 * The keyword-filter hook: every danmu, chat line and DM (in the gateway) and every nickname, bio,
 * comment and review (in the API) passes it after the protocol's text policy and before storage. Operators plug in their own moderation (a word
 * list, a classifier service); the default built from a word list masks listed words, which is
 * what viewers of danmu platforms expect (the line still flies, the slur does not).
 */
export type TextKind = 'danmu' | 'chat' | 'dm' | 'name' | 'bio' | 'comment' | 'review';

export type FilterVerdict = { ok: true; text: string } | { ok: false; reason: string };

export type TextFilter = (
  text: string,
  context: { kind: TextKind; userId: number },
) => FilterVerdict | Promise<FilterVerdict>;

export const allowAll: TextFilter = (text) => ({ ok: true, text });

export interface KeywordFilterOptions {
  /** Words or phrases, matched case-insensitively after NFKC folding (full-width, ligatures). */
  words: readonly string[];
  /** `mask` replaces each match with `*` per character; `reject` refuses the whole text. */
  mode: 'mask' | 'reject';
}

function fold(text: string): string {
  return text.normalize('NFKC').toLowerCase();
}

/**
 * Masks or rejects listed words. Matching runs on a folded copy whose characters map one to one
 * onto the original's when folding keeps lengths; when it does not (a ligature expands), the
 * filter falls back to rejecting, so a listed word never slips through unmasked.
 */
export function createKeywordFilter(options: KeywordFilterOptions): TextFilter {
  const words = [...new Set(options.words.map((w) => fold(w.trim())).filter((w) => w.length > 0))];
  // Longest first, so a phrase is masked whole before one of its words.
  words.sort((a, b) => b.length - a.length);
  return (text) => {
    if (words.length === 0) return { ok: true, text };
    const folded = fold(text);
    const hits = words.filter((w) => folded.includes(w));
    if (hits.length === 0) return { ok: true, text };
    if (options.mode === 'reject' || folded.length !== text.length) {
      return { ok: false, reason: 'blocked word' };
    }
    // Same length in UTF-16 units, so indices into `folded` are indices into `text`.
    const units = text.split('');
    for (const word of hits) {
      for (let at = folded.indexOf(word); at >= 0; at = folded.indexOf(word, at + word.length)) {
        for (let i = at; i < at + word.length; i += 1) units[i] = '*';
      }
    }
    return { ok: true, text: units.join('') };
  };
}

/**
 * The filter of a word-list file (BLOCKED_WORDS_FILE): one word or phrase per line, blank lines
 * and lines starting with `#` ignored. Read once at start; a missing file stops the start.
 */
export function loadKeywordFilter(file: string, mode: KeywordFilterOptions['mode']): TextFilter {
  const words = readFileSync(file, 'utf8')
    .split(/\r?\n/)
    .map((line) => line.trim())
    .filter((line) => line.length > 0 && !line.startsWith('#'));
  return createKeywordFilter({ words, mode });
}
