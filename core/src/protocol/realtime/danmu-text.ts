/**
 * The text policy for danmu, chat and DMs. Pure and browser-safe: the codec applies it to every
 * inbound publish (so business logic only ever sees clean text) and the web client applies it
 * before sending (so the user sees the same verdict at once).
 *
 * Rejected (the sender gets TEXT_REJECTED with the reason; nothing is silently rewritten into
 * something the sender did not mean):
 * - C0 and C1 control characters and DEL, except tab, CR and LF (see below);
 * - bidi embeddings, overrides and isolates U+202A–U+202E, U+2066–U+2069, which reorder what
 *   follows them ("Trojan Source", CVE-2021-42574) and spoof other users' lines;
 * - lone surrogates and Unicode noncharacters;
 * - HTML-like markup: `<` directly followed by a letter, `/`, `!` or `?` (`<b>`, `</div>`,
 *   `<!--`, `<?`), the HTML tokenizer's tag-open rule. Clients render text as text, so this is
 *   about abuse, not XSS; `<3`, `a < b` and `< b` pass;
 * - empty text (after stripping) and text over the length limit.
 *
 * Stripped (invisible, and only ever used to dodge filters or fake blank names):
 * - zero-width and format characters: U+00AD, U+034F, U+061C, U+115F, U+1160, U+17B4, U+17B5,
 *   U+180E, U+200B, U+200E, U+200F, U+2060–U+2064, U+206A–U+206F, U+3164, U+FEFF, U+FFA0,
 *   U+FFF9–U+FFFB, U+1D173–U+1D17A and tag characters U+E0000–U+E007F;
 * - ZWJ U+200D and ZWNJ U+200C, except one between two visible characters (emoji sequences
 *   such as 👩‍💻 and Persian or Indic text need it there; a run keeps only its last joiner);
 * - variation selectors beyond one after a visible character;
 * - combining marks beyond 4 on one base character ("Zalgo" text).
 *
 * Normalised: NFC; CR LF, CR, U+2028 and U+2029 become LF; runs of whitespace (tab, NBSP,
 * U+3000 and the other space separators) become one space; danmu is one line, so LF becomes a
 * space there; chat and DM keep at most two line breaks in a row; leading and trailing whitespace
 * is trimmed.
 *
 * Length is counted in grapheme clusters (Intl.Segmenter; code points where it is missing), after
 * a cheap UTF-16 cap that bounds the work done on hostile input.
 */

export type TextKind = 'danmu' | 'chat' | 'dm';

export const textLimits = {
  danmu: { maxGraphemes: 100, maxUnits: 400, multiline: false },
  chat: { maxGraphemes: 300, maxUnits: 1200, multiline: true },
  dm: { maxGraphemes: 1000, maxUnits: 4000, multiline: true },
} as const satisfies Record<
  TextKind,
  { maxGraphemes: number; maxUnits: number; multiline: boolean }
>;

export type TextRejection =
  'empty' | 'tooLong' | 'control' | 'bidi' | 'surrogate' | 'noncharacter' | 'markup';

export type TextVerdict = { ok: true; text: string } | { ok: false; reason: TextRejection };

// The control characters are the point of this pattern.
// eslint-disable-next-line no-control-regex
const controlPattern = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F]/;
const bidiPattern = /[\u202A-\u202E\u2066-\u2069]/;
const surrogatePattern = /\p{Cs}/u;
const markupPattern = /<[A-Za-z/!?]/;
// U+034F, U+17B4 and U+17B5 are combining marks, so they stand outside the class: inside one
// they would attach to their neighbour (no-misleading-character-class).
const invisiblePattern =
  /\u034F|\u17B4|\u17B5|[\u00AD\u061C\u115F\u1160\u180E\u200B\u200E\u200F\u2060-\u2064\u206A-\u206F\u3164\uFEFF\uFFA0\uFFF9-\uFFFB\u{1D173}-\u{1D17A}\u{E0000}-\u{E007F}]/gu;
const markPattern = /\p{M}/u;
const variationSelectorPattern = /[\uFE00-\uFE0F\u{E0100}-\u{E01EF}]/u;
const joinerPattern = /[\u200C\u200D]/;
const spacePattern = /[\t\p{Zs}]+/gu;
const maxMarksPerBase = 4;

function hasNoncharacter(text: string): boolean {
  for (const char of text) {
    const cp = char.codePointAt(0)!;
    if ((cp >= 0xfdd0 && cp <= 0xfdef) || (cp & 0xfffe) === 0xfffe) return true;
  }
  return false;
}

/** Joiners, selectors and marks only where they attach to a visible character. */
function stripDangling(text: string): string {
  const chars = [...text];
  const out: string[] = [];
  let marks = 0;
  for (let i = 0; i < chars.length; i += 1) {
    const char = chars[i]!;
    const previous = out.length > 0 ? out[out.length - 1]! : null;
    const previousVisible =
      previous !== null && !joinerPattern.test(previous) && !/\s/.test(previous);
    if (joinerPattern.test(char)) {
      const next = chars[i + 1];
      const nextVisible = next !== undefined && !joinerPattern.test(next) && !/\s/.test(next);
      if (previousVisible && nextVisible) out.push(char);
      marks = 0;
      continue;
    }
    if (variationSelectorPattern.test(char)) {
      if (previousVisible && !variationSelectorPattern.test(previous!)) out.push(char);
      continue;
    }
    if (markPattern.test(char)) {
      if (previous === null || marks >= maxMarksPerBase) continue;
      marks += 1;
      out.push(char);
      continue;
    }
    marks = 0;
    out.push(char);
  }
  return out.join('');
}

let segmenter: Intl.Segmenter | null | undefined;

/** Grapheme clusters, or code points on a runtime without Intl.Segmenter. */
export function graphemeLength(text: string): number {
  if (segmenter === undefined) {
    segmenter =
      typeof Intl === 'object' && typeof Intl.Segmenter === 'function'
        ? new Intl.Segmenter(undefined, { granularity: 'grapheme' })
        : null;
  }
  if (segmenter === null) return [...text].length;
  let count = 0;
  for (const _ of segmenter.segment(text)) count += 1;
  return count;
}

export function sanitizeText(input: string, kind: TextKind): TextVerdict {
  const limits = textLimits[kind];
  if (input.length > limits.maxUnits) return { ok: false, reason: 'tooLong' };
  if (surrogatePattern.test(input)) return { ok: false, reason: 'surrogate' };
  if (controlPattern.test(input)) return { ok: false, reason: 'control' };
  if (bidiPattern.test(input)) return { ok: false, reason: 'bidi' };
  if (hasNoncharacter(input)) return { ok: false, reason: 'noncharacter' };
  if (markupPattern.test(input)) return { ok: false, reason: 'markup' };

  let text = input.normalize('NFC').replace(/\r\n?|[\u2028\u2029]/g, '\n');
  text = stripDangling(text.replace(invisiblePattern, ''));
  // Stripping can join `<` to a letter (`<\u200Bb>`): check markup again on what will be stored.
  if (markupPattern.test(text)) return { ok: false, reason: 'markup' };

  text = text.replace(spacePattern, ' ');
  if (limits.multiline) {
    text = text
      .replace(/ ?\n ?/g, '\n')
      .replace(/\n{3,}/g, '\n\n')
      .trim();
  } else {
    text = text.replace(/\n/g, ' ').replace(/ {2,}/g, ' ').trim();
  }
  if (text.length === 0) return { ok: false, reason: 'empty' };
  if (graphemeLength(text) > limits.maxGraphemes) return { ok: false, reason: 'tooLong' };
  return { ok: true, text };
}
