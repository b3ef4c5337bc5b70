import AhoCorasick, { type Match } from 'modern-ahocorasick';
import type { Lexicon } from './lexicon.ts';
import {
  compactText,
  foldText,
  formsWords,
  UnitKind,
  type CompactText,
  type FoldedText,
} from './text-fold.ts';

/**
 * Finds the terms of a lexicon in a text and answers the original spans to mask. One
 * Aho–Corasick automaton per view (modern-ahocorasick) finds every term in one scan, however
 * long the lexicon; the rules around a raw hit are ours:
 *
 * 1. the folded view (text-fold.ts): case, width, accents, look-alike letters, invisible
 *    characters and traditional characters no longer matter, and a run of separators reads as one
 *    space, so `blow-job` matches `blow job`;
 * 2. the compact view (separators removed) catches letters split apart: `傻 逼`, `傻*逼`, and in
 *    scripts written with spaces `f.u.c.k`, `f u c k` or `fu.ck`, only when every letter is split
 *    off or no split holds whitespace, so that `the pen is` never reads as a term;
 * 3. both views again with leetspeak read as letters (`sh1t`, `@ss`), when the text holds digits,
 *    `@` or `$`. A leet hit must keep at least one real letter and no fewer real letters than
 *    digits, so `455` or a phone model `A55` are never words.
 *
 * A term that starts or ends with a letter of a space-separated script must start or end a word
 * there (`ass` is not in `class`), unless the lexicon marks it `*term*`. A hit inside an
 * allowed word (`!word`) does not count.
 */
export interface LexiconMatcher {
  /** Original UTF-16 spans [start, end) of every hit, sorted and merged. */
  spans(text: string): Array<[number, number]>;
  /** Whether the text holds any hit (stops at the first). */
  test(text: string): boolean;
}

interface CompiledTerm {
  /** The first / last character forms words, so it must start / end a word in the text. */
  wordStart: boolean;
  wordEnd: boolean;
  inWords: boolean;
  /** Holds characters of a script written without spaces: any split of it is an evasion. */
  spaceless: boolean;
}

type Span = [number, number];

function foldedTerm(text: string): FoldedText | null {
  const folded = foldText(text, { leet: false });
  let from = 0;
  let to = folded.text.length;
  while (from < to && folded.text[from] === ' ') from += 1;
  while (to > from && folded.text[to - 1] === ' ') to -= 1;
  if (from === to) return null;
  return {
    text: folded.text.slice(from, to),
    start: folded.start.slice(from, to),
    end: folded.end.slice(from, to),
    kind: folded.kind.slice(from, to),
    leetCandidates: folded.leetCandidates,
  };
}

/** Merges the flags of one folded spelling listed several times: the broadest wins. */
function merge(into: Map<string, CompiledTerm>, key: string, term: CompiledTerm): void {
  const known = into.get(key);
  if (known === undefined) {
    into.set(key, term);
    return;
  }
  known.inWords ||= term.inWords;
}

function codePointLength(text: string): number {
  let n = 0;
  for (const _ of text) n += 1;
  return n;
}

function allowedRanges(automaton: AhoCorasick<null> | null, text: string): Span[] {
  if (automaton === null) return [];
  return automaton.search(text).map((m) => [m.start, m.end]);
}

function insideAllowed(allowed: readonly Span[], from: number, to: number): boolean {
  return allowed.some(([a, b]) => a <= from && to <= b);
}

/** The leet rule: at least one real letter, and no fewer real letters than digits read as letters. */
function leetHitAllowed(kind: Uint8Array, indices: Iterable<number>): boolean {
  let letters = 0;
  let digits = 0;
  let leet = 0;
  for (const i of indices) {
    const k = kind[i]!;
    if (k === UnitKind.letter) letters += 1;
    else if (k === UnitKind.leetDigit) {
      digits += 1;
      leet += 1;
    } else if (k === UnitKind.leetSymbol) leet += 1;
  }
  // Without any leet unit the plain pass already decided about this hit.
  return leet > 0 && letters > 0 && letters >= digits;
}

function* range(from: number, to: number): Generator<number> {
  for (let i = from; i < to; i += 1) yield i;
}

export function createLexiconMatcher(lexicon: Lexicon): LexiconMatcher {
  const spaced = new Map<string, CompiledTerm>();
  const compact = new Map<string, CompiledTerm>();
  for (const entry of lexicon.terms) {
    const folded = foldedTerm(entry.text);
    if (folded === null) continue;
    const first = folded.kind[0]!;
    const last = folded.kind[folded.kind.length - 1]!;
    const term: CompiledTerm = {
      wordStart: formsWords(first),
      wordEnd: formsWords(last),
      inWords: entry.inWords,
      spaceless: folded.kind.some((k) => k === UnitKind.glyph),
    };
    merge(spaced, folded.text, term);
    const squeezed = folded.text.replaceAll(' ', '');
    // A single character cannot be split, so only terms of two or more enter the compact view.
    if (codePointLength(squeezed) >= 2) merge(compact, squeezed, { ...term });
  }
  const automaton = (terms: Map<string, CompiledTerm>) =>
    new AhoCorasick<CompiledTerm>([...terms].map(([pattern, data]) => ({ pattern, data })));
  const spacedTerms = automaton(spaced);
  const compactTerms = automaton(compact);

  const allowedSpaced = new Set<string>();
  const allowedCompact = new Set<string>();
  for (const word of lexicon.allowed) {
    const folded = foldedTerm(word);
    if (folded === null) continue;
    allowedSpaced.add(folded.text);
    allowedCompact.add(folded.text.replaceAll(' ', ''));
  }
  const allowAutomaton = (words: Set<string>) =>
    words.size === 0 ? null : new AhoCorasick<null>([...words]);
  const allowSpaced = allowAutomaton(allowedSpaced);
  const allowCompact = allowAutomaton(allowedCompact);

  function wordEdgesHold(term: CompiledTerm, kind: Uint8Array, before: number, after: number) {
    if (term.inWords) return true;
    if (term.wordStart && before >= 0 && formsWords(kind[before]!)) return false;
    if (term.wordEnd && after < kind.length && formsWords(kind[after]!)) return false;
    return true;
  }

  function scanFolded(folded: FoldedText, leet: boolean, found: Span[], firstOnly: boolean) {
    let allowed: Span[] | null = null;
    for (const hit of spacedTerms.iterate(folded.text)) {
      if (!acceptFolded(hit, folded, leet)) continue;
      allowed ??= allowedRanges(allowSpaced, folded.text);
      if (insideAllowed(allowed, hit.start, hit.end)) continue;
      found.push([folded.start[hit.start]!, folded.end[hit.end - 1]!]);
      if (firstOnly) return;
    }
  }

  function acceptFolded(hit: Match<CompiledTerm>, folded: FoldedText, leet: boolean): boolean {
    const term = hit.data!;
    if (!wordEdgesHold(term, folded.kind, hit.start - 1, hit.end)) return false;
    return !leet || leetHitAllowed(folded.kind, range(hit.start, hit.end));
  }

  function scanCompact(
    folded: FoldedText,
    squeezed: CompactText,
    leet: boolean,
    found: Span[],
    firstOnly: boolean,
  ) {
    let allowed: Span[] | null = null;
    for (const hit of compactTerms.iterate(squeezed.text)) {
      if (!acceptCompact(hit, folded, squeezed, leet)) continue;
      allowed ??= allowedRanges(allowCompact, squeezed.text);
      if (insideAllowed(allowed, hit.start, hit.end)) continue;
      const from = squeezed.foldedIndex[hit.start]!;
      const to = squeezed.foldedIndex[hit.end - 1]!;
      found.push([folded.start[from]!, folded.end[to]!]);
      if (firstOnly) return;
    }
  }

  function acceptCompact(
    hit: Match<CompiledTerm>,
    folded: FoldedText,
    squeezed: CompactText,
    leet: boolean,
  ): boolean {
    const term = hit.data!;
    let splits = 0;
    let spaced = false;
    let characters = 0;
    for (let i = hit.start + 1; i < hit.end; i += 1) {
      const code = squeezed.text.charCodeAt(i);
      if (code >= 0xdc00 && code <= 0xdfff) continue; // the second half of a surrogate pair
      characters += 1;
      const gap = squeezed.gap[i]!;
      if (gap !== 0) splits += 1;
      if (gap === UnitKind.space) spaced = true;
    }
    // Unsplit, the folded view has already decided about this spelling.
    if (splits === 0) return false;
    if (!term.spaceless && spaced && splits < characters) return false;
    const from = squeezed.foldedIndex[hit.start]!;
    const to = squeezed.foldedIndex[hit.end - 1]!;
    if (!wordEdgesHold(term, folded.kind, from - 1, to + 1)) return false;
    if (!leet) return true;
    const indices: number[] = [];
    for (let i = hit.start; i < hit.end; i += 1) indices.push(squeezed.foldedIndex[i]!);
    return leetHitAllowed(folded.kind, indices);
  }

  function search(text: string, firstOnly: boolean): Span[] {
    const found: Span[] = [];
    const plain = foldText(text, { leet: false });
    const views = plain.leetCandidates ? [plain, foldText(text, { leet: true })] : [plain];
    for (const [index, folded] of views.entries()) {
      const leet = index === 1;
      scanFolded(folded, leet, found, firstOnly);
      if (firstOnly && found.length > 0) break;
      const squeezed = compactText(folded);
      if (squeezed.hasInnerGap) scanCompact(folded, squeezed, leet, found, firstOnly);
      if (firstOnly && found.length > 0) break;
    }
    return found;
  }

  return {
    spans(text) {
      const found = search(text, false).sort((a, b) => a[0] - b[0] || a[1] - b[1]);
      const merged: Span[] = [];
      for (const [from, to] of found) {
        const last = merged[merged.length - 1];
        if (last !== undefined && from <= last[1]) last[1] = Math.max(last[1], to);
        else merged.push([from, to]);
      }
      return merged;
    },
    test(text) {
      return search(text, true).length > 0;
    },
  };
}
