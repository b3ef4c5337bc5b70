import { latinLookAlikes, leetLetters, simplifiedHan } from './confusables.ts';

/**
 * The view of a text the blocked-words matcher searches, with a map from every unit of it back
 * to the original, so that a hit found in the view masks exactly the original characters it came
 * from (`ＦＵＣＫ`, `f.u.c.k`, `ﬁ` all mask what the viewer typed, not a normalised copy).
 *
 * Each code point of the original is folded on its own: NFKD (full-width and circled letters,
 * ligatures, compatibility ideographs), lower case, combining marks dropped, look-alike letters of
 * other scripts and traditional Chinese characters of the lexicon mapped (confusables.ts).
 * Invisible characters (zero-width space and joiners, soft hyphen, variation selectors, Hangul
 * fillers) are dropped, so they join what they split. Runs of whitespace, punctuation and symbols
 * become one separator (a space), remembered as containing whitespace or not; emoji stay
 * characters, since a lexicon may list one.
 */

/** What a unit of the view is. */
export const UnitKind = {
  /** A letter of a script written with spaces between words: forms words. */
  letter: 0,
  /** A letter of a script written without spaces (Han, kana, Hangul) or an emoji: no words. */
  glyph: 1,
  /** A digit read as a letter (leet view only): forms words. */
  leetDigit: 2,
  /** `@` or `$` read as a letter (leet view only): forms words. */
  leetSymbol: 3,
  /** A digit kept as a digit: matchable, but it neither forms nor breaks words. */
  digit: 4,
  /** A separator run of punctuation or symbols only. */
  punctuation: 5,
  /** A separator run that holds whitespace. */
  space: 6,
} as const;
export type UnitKind = (typeof UnitKind)[keyof typeof UnitKind];

export interface FoldedText {
  /** The view: folded characters, each separator run as one space. */
  text: string;
  /** Original UTF-16 span of each unit of `text`: [start[i], end[i]). */
  start: Int32Array;
  end: Int32Array;
  kind: Uint8Array;
  /** The original holds digits, `@` or `$`: a leet view could differ from this one. */
  leetCandidates: boolean;
}

export function isSeparator(kind: number): boolean {
  return kind === UnitKind.punctuation || kind === UnitKind.space;
}

/** Letters that make a Latin-script term part of a longer word when they touch it. */
export function formsWords(kind: number): boolean {
  return kind === UnitKind.letter || kind === UnitKind.leetDigit || kind === UnitKind.leetSymbol;
}

const invisible = /^[\p{M}\p{Cf}\u115F\u1160\u3164\uFFA0]$/u;
const whitespace = /^[\p{White_Space}\p{Cc}]$/u;
const punctuationOrSymbol = /^[\p{P}\p{S}\p{Z}\p{Cn}\p{Co}\p{Cs}]$/u;
const pictographic = /^\p{Extended_Pictographic}$/u;
const spacelessScript =
  /^[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Hangul}\p{Script=Bopomofo}]$/u;

interface FoldedChar {
  char: string;
  kind: UnitKind;
}

const foldCache = new Map<string, readonly FoldedChar[]>();
const FOLD_CACHE_LIMIT = 20_000;

function classify(char: string, leet: boolean): FoldedChar | null {
  if (invisible.test(char)) return null;
  const mapped = latinLookAlikes.get(char) ?? simplifiedHan.get(char) ?? char;
  const leetLetter = leetLetters.get(mapped);
  if (leet && leetLetter !== undefined) {
    return {
      char: leetLetter,
      kind: mapped >= '0' && mapped <= '9' ? UnitKind.leetDigit : UnitKind.leetSymbol,
    };
  }
  if (whitespace.test(mapped)) return { char: ' ', kind: UnitKind.space };
  if (mapped >= '0' && mapped <= '9') return { char: mapped, kind: UnitKind.digit };
  if (punctuationOrSymbol.test(mapped) && !pictographic.test(mapped))
    return { char: ' ', kind: UnitKind.punctuation };
  if (spacelessScript.test(mapped) || pictographic.test(mapped))
    return { char: mapped, kind: UnitKind.glyph };
  if (/^\p{N}$/u.test(mapped)) return { char: mapped, kind: UnitKind.digit };
  return { char: mapped, kind: UnitKind.letter };
}

/** The folded characters of one original code point (none when it is invisible). */
function foldCodePoint(codePoint: string, leet: boolean): readonly FoldedChar[] {
  const key = leet ? `l${codePoint}` : `p${codePoint}`;
  const cached = foldCache.get(key);
  if (cached !== undefined) return cached;
  const folded: FoldedChar[] = [];
  // NFKD, lower case, NFKD again: lower-casing can produce a combining mark (İ → i̇).
  const decomposed = codePoint.normalize('NFKD').toLowerCase().normalize('NFKD');
  for (const char of decomposed) {
    const unit = classify(char, leet);
    if (unit !== null) folded.push(unit);
  }
  if (foldCache.size >= FOLD_CACHE_LIMIT) foldCache.clear();
  foldCache.set(key, folded);
  return folded;
}

function isLeetCandidate(codePoint: string): boolean {
  for (const char of codePoint.normalize('NFKD')) if (leetLetters.has(char)) return true;
  return false;
}

/**
 * Folds `text` into the matcher's view. With `leet`, digits and `@` `$` that leetspeak uses for
 * letters are read as those letters (kinds leetDigit, leetSymbol). Never throws, whatever the
 * input (lone surrogates included); every span lies within [0, text.length] and spans never go
 * backwards.
 */
export function foldText(text: string, options: { leet: boolean }): FoldedText {
  const chars: string[] = [];
  const starts: number[] = [];
  const ends: number[] = [];
  const kinds: number[] = [];
  let leetCandidates = false;
  let offset = 0;
  for (const codePoint of text) {
    const from = offset;
    offset += codePoint.length;
    if (!leetCandidates && isLeetCandidate(codePoint)) leetCandidates = true;
    const folded = foldCodePoint(codePoint, options.leet);
    if (folded.length === 0) {
      // An invisible character belongs to what precedes it: masking that also masks it.
      if (ends.length > 0) ends[ends.length - 1] = offset;
      continue;
    }
    for (const unit of folded) {
      const last = kinds.length - 1;
      if (isSeparator(unit.kind) && last >= 0 && isSeparator(kinds[last]!)) {
        ends[last] = offset;
        if (unit.kind === UnitKind.space) kinds[last] = UnitKind.space;
        continue;
      }
      // An astral character is two units; both carry the code point's span.
      for (let i = 0; i < unit.char.length; i += 1) {
        chars.push(unit.char[i]!);
        starts.push(from);
        ends.push(offset);
        kinds.push(unit.kind);
      }
    }
  }
  return {
    text: chars.join(''),
    start: Int32Array.from(starts),
    end: Int32Array.from(ends),
    kind: Uint8Array.from(kinds),
    leetCandidates,
  };
}

/**
 * The view without its separators (`f.u.c.k` → `fuck`, `傻 逼` → `傻逼`), for finding terms
 * spelled with characters inserted between their letters. `gap[i]` is the kind of the separator
 * run that stood before unit i in the folded view (0 when none), `foldedIndex[i]` its index there.
 */
export interface CompactText {
  text: string;
  foldedIndex: Int32Array;
  gap: Uint8Array;
  /** Some separator stands between two characters (otherwise the compact view adds nothing). */
  hasInnerGap: boolean;
}

export function compactText(folded: FoldedText): CompactText {
  const chars: string[] = [];
  const indices: number[] = [];
  const gaps: number[] = [];
  let pending = 0;
  let hasInnerGap = false;
  for (let i = 0; i < folded.text.length; i += 1) {
    const kind = folded.kind[i]!;
    if (isSeparator(kind)) {
      pending = kind;
      continue;
    }
    if (pending !== 0 && chars.length > 0) hasInnerGap = true;
    chars.push(folded.text[i]!);
    indices.push(i);
    gaps.push(chars.length === 1 ? 0 : pending);
    pending = 0;
  }
  return {
    text: chars.join(''),
    foldedIndex: Int32Array.from(indices),
    gap: Uint8Array.from(gaps),
    hasInnerGap,
  };
}
