/**
 * The text policy of profiles: a display name (the nickname shown beside danmu, chat and
 * comments) and a bio. Pure and browser-safe: the web client checks an edit with it before
 * sending, and the API applies it before the keyword filter and storage.
 *
 * Both are NFC-normalised and trimmed. Refused, with a reason (nothing is silently rewritten into
 * something the user did not type):
 * - control characters (C0, C1, DEL); a bio may keep line breaks (LF, CR LF becomes LF), up to
 *   {@link profileLimits}.bio.maxLines lines, a name may not;
 * - bidi embeddings, overrides and isolates (U+202A–U+202E, U+2066–U+2069), which reorder the
 *   text around them and let a name impersonate another ("Trojan Source", CVE-2021-42574);
 * - in names, invisible characters (zero-width spaces and non-joiners, word joiner, BOM, soft
 *   hyphen, Hangul fillers, a zero-width joiner outside an emoji sequence), which fake blank
 *   names or twins of other users' names;
 * - lone surrogates and Unicode noncharacters;
 * - an empty name, and text longer than its limit in code points.
 */

export const profileLimits = {
  displayName: { maxLength: 24 },
  bio: { maxLength: 200, maxLines: 5 },
} as const;

export type ProfileField = keyof typeof profileLimits;

export type ProfileTextRejection =
  | 'empty'
  | 'tooLong'
  | 'tooManyLines'
  | 'control'
  | 'bidi'
  | 'invisible'
  | 'surrogate'
  | 'noncharacter';

export type ProfileTextVerdict =
  { ok: true; text: string } | { ok: false; reason: ProfileTextRejection };

// The control characters are the point of these patterns.
// eslint-disable-next-line no-control-regex
const controlPattern = /[\u0000-\u001F\u007F-\u009F]/;
// eslint-disable-next-line no-control-regex
const controlButLinePattern = /[\u0000-\u0009\u000B-\u001F\u007F-\u009F]/;
const bidiPattern = /[\u202A-\u202E\u2066-\u2069]/;
const invisiblePattern =
  /[\u00AD\u115F\u1160\u180E\u200B\u200C\u200E\u200F\u2060-\u2064\u3164\uFEFF\uFFA0]/;
/** ZWJ joins emoji sequences (👩‍💻); alone, at an edge or beside a space it only hides. */
const danglingJoinerPattern = /(^|\s|\u200D)\u200D|\u200D($|\s)/;
const surrogatePattern = /\p{Cs}/u;

function hasNoncharacter(text: string): boolean {
  for (const char of text) {
    const cp = char.codePointAt(0)!;
    if ((cp >= 0xfdd0 && cp <= 0xfdef) || (cp & 0xfffe) === 0xfffe) return true;
  }
  return false;
}

/** Checks and normalises a display name or a bio. */
export function checkProfileText(field: ProfileField, input: string): ProfileTextVerdict {
  // Lone surrogates first: normalize() would keep them, and nothing after may see them.
  if (surrogatePattern.test(input)) return { ok: false, reason: 'surrogate' };
  const multiline = field === 'bio';
  const text = (multiline ? input.replace(/\r\n?/g, '\n') : input).normalize('NFC').trim();
  if ((multiline ? controlButLinePattern : controlPattern).test(text))
    return { ok: false, reason: 'control' };
  if (bidiPattern.test(text)) return { ok: false, reason: 'bidi' };
  if (!multiline && (invisiblePattern.test(text) || danglingJoinerPattern.test(text)))
    return { ok: false, reason: 'invisible' };
  if (hasNoncharacter(text)) return { ok: false, reason: 'noncharacter' };
  if (field === 'displayName' && text.length === 0) return { ok: false, reason: 'empty' };
  if ([...text].length > profileLimits[field].maxLength) return { ok: false, reason: 'tooLong' };
  if (multiline && text.split('\n').length > profileLimits.bio.maxLines)
    return { ok: false, reason: 'tooManyLines' };
  return { ok: true, text };
}
