/**
 * The little HTTP content negotiation a share link needs (RFC 9110 §12.5): whether a client that
 * followed `/s/<code>` wants a problem document instead of a page, and which of the two catalog
 * languages to put in the card.
 */

interface Preference {
  value: string;
  q: number;
  /** Position in the header: the earlier of two equal preferences wins. */
  order: number;
}

/** `a/b;q=0.5, c/d` → ranges with their weights (q defaults to 1; malformed q counts as 0). */
function preferences(header: string | undefined): Preference[] {
  if (header === undefined) return [];
  return header
    .split(',')
    .map((part, order) => {
      const [value = '', ...params] = part.split(';').map((piece) => piece.trim());
      let q = 1;
      for (const param of params) {
        const match = /^q=([01](?:\.\d{0,3})?)$/i.exec(param);
        if (param.toLowerCase().startsWith('q=')) q = match ? Math.min(1, Number(match[1])) : 0;
      }
      return { value: value.toLowerCase(), q, order };
    })
    .filter((p) => p.value !== '' && p.q > 0);
}

// The most specific range matching `type`: its weight, and 3 exact, 2 `type/*`, 1 `*/*`, 0 none.
function matchOf(ranges: Preference[], type: string): { q: number; specificity: number } {
  const [major] = type.split('/');
  let best = { q: 0, specificity: 0 };
  for (const range of ranges) {
    const specificity =
      range.value === type ? 3 : range.value === `${major}/*` ? 2 : range.value === '*/*' ? 1 : 0;
    if (specificity > best.specificity) best = { q: range.q, specificity };
  }
  return best;
}

/**
 * Whether the Accept header ranks JSON (application/json or application/problem+json) above HTML:
 * an API client or `fetch()` asking for JSON gets a problem document, a browser its page. On equal
 * weights the type named outright beats one reached through a wildcard (axios names
 * application/json beside a catch-all range: a JSON client); a missing header or a true tie is a
 * page: links are for people.
 */
export function prefersJson(accept: string | undefined): boolean {
  const ranges = preferences(accept);
  const json = [matchOf(ranges, 'application/json'), matchOf(ranges, 'application/problem+json')]
    .filter((m) => m.specificity === 3)
    .sort((a, b) => b.q - a.q)[0];
  if (json === undefined || json.q === 0) return false;
  const html = matchOf(ranges, 'text/html');
  return json.q > html.q || (json.q === html.q && html.specificity < 3);
}

export type CardLanguage = 'en' | 'zh';

/** The catalog language the Accept-Language header prefers; English when it names neither. */
export function cardLanguage(acceptLanguage: string | undefined): CardLanguage {
  const ranked = preferences(acceptLanguage).sort((a, b) => b.q - a.q || a.order - b.order);
  for (const { value } of ranked) {
    const primary = value.split('-')[0];
    if (primary === 'zh') return 'zh';
    if (primary === 'en') return 'en';
  }
  return 'en';
}
