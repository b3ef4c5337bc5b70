import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/**
 * A blocked-words lexicon: the terms a text filter looks for and the allowed words that keep it
 * from firing inside innocent words. The shipped one is lexicon/blocked-words.txt (curated from
 * LDNOOBW, see lexicon/README.md); BLOCKED_WORDS_FILE names another in the same syntax:
 *
 * - one entry per line; blank lines and lines starting with `#` are ignored;
 * - `term`: a term. Where it starts or ends with a letter of a script written with spaces
 *   (Latin, Cyrillic ...), it matches only as a whole word there (`ass` not in `class`); Chinese
 *   and other text written without spaces matches anywhere;
 * - `*term*`: a term that also matches inside longer words (`*fuck*` in `fuckface`);
 * - `!word`: an allowed word. A hit that lies inside an occurrence of it is not a hit (`!妈妈的`
 *   keeps `妈的` from masking "mum's").
 */
export interface LexiconTerm {
  text: string;
  /** Matches inside longer words too (`*term*`). */
  inWords: boolean;
}

export interface Lexicon {
  terms: readonly LexiconTerm[];
  allowed: readonly string[];
}

/** Parses entries in the syntax above (each element one line). */
export function parseLexiconEntries(entries: readonly string[]): Lexicon {
  const terms: LexiconTerm[] = [];
  const allowed: string[] = [];
  for (const raw of entries) {
    const line = raw.trim();
    if (line.length === 0 || line.startsWith('#')) continue;
    if (line.startsWith('!')) {
      const word = line.slice(1).trim();
      if (word.length > 0) allowed.push(word);
      continue;
    }
    if (line.length > 2 && line.startsWith('*') && line.endsWith('*')) {
      const text = line.slice(1, -1).trim();
      if (text.length > 0) terms.push({ text, inWords: true });
      continue;
    }
    terms.push({ text: line, inWords: false });
  }
  return { terms, allowed };
}

export function parseLexicon(source: string): Lexicon {
  return parseLexiconEntries(source.split(/\r?\n/));
}

/** Reads a lexicon file; throws when it cannot be read (a wrong path stops the start). */
export function loadLexiconFile(file: string): Lexicon {
  return parseLexicon(readFileSync(file, 'utf8'));
}

/** The lexicon shipped with the platform, the default of BLOCKED_WORDS_FILE. */
export const defaultLexiconFile = fileURLToPath(
  new URL('./lexicon/blocked-words.txt', import.meta.url),
);
