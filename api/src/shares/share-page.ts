import type { CardLanguage } from './content-negotiation.ts';

/**
 * The HTML behind a share link (`/s/<code>`): a preview card for link unfurlers in Open Graph
 * (https://ogp.me) and Twitter card tags, and for people a redirect to the web page of the series
 * or episode. Every value comes from the catalog (titles and synopses are viewers' and creators'
 * text) and is HTML-escaped here, the one place this HTML is produced.
 */

export const SITE_NAME = 'Binge';

export interface ShareCard {
  language: CardLanguage;
  /** Open Graph video types: the show, or one episode of it. */
  type: 'video.tv_show' | 'video.episode';
  title: string;
  description: string;
  /** Absolute URL of the series poster, when one is ready. */
  imageUrl: string | null;
  /** The absolute share link itself: og:url, so a re-scrape lands on this card again. */
  shareUrl: string;
  /** Where people are sent: the web page of the series or episode. */
  pageUrl: string;
  /** For an episode, the absolute URL of its series page (og video:series). */
  seriesUrl?: string;
  /** Link unfurlers get the card without the redirect (some follow a meta refresh). */
  redirect: boolean;
}

const entities: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};

/** Text for HTML content and double-quoted attribute values. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (char) => entities[char]!);
}

/** At most `max` characters (code points, so no emoji is cut in half), with an ellipsis. */
export function clip(text: string, max: number): string {
  const chars = [...text.trim().replace(/\s+/g, ' ')];
  return chars.length <= max ? chars.join('') : `${chars.slice(0, max - 1).join('')}…`;
}

const locales = { en: 'en_US', zh: 'zh_CN' } as const;

export function renderSharePage(card: ShareCard): string {
  const meta = (attribute: 'property' | 'name', key: string, value: string) =>
    `<meta ${attribute}="${key}" content="${escapeHtml(value)}">`;
  const other = card.language === 'zh' ? 'en' : 'zh';
  const head = [
    '<meta charset="utf-8">',
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    `<title>${escapeHtml(card.title)} · ${SITE_NAME}</title>`,
    meta('name', 'description', card.description),
    // A share link is a doorway to the page, not a page of its own for search engines to list.
    meta('name', 'robots', 'noindex'),
    meta('property', 'og:site_name', SITE_NAME),
    meta('property', 'og:type', card.type),
    meta('property', 'og:title', card.title),
    meta('property', 'og:description', card.description),
    meta('property', 'og:url', card.shareUrl),
    meta('property', 'og:locale', locales[card.language]),
    meta('property', 'og:locale:alternate', locales[other]),
    ...(card.seriesUrl === undefined ? [] : [meta('property', 'video:series', card.seriesUrl)]),
    ...(card.imageUrl === null ? [] : [meta('property', 'og:image', card.imageUrl)]),
    meta('name', 'twitter:card', card.imageUrl === null ? 'summary' : 'summary_large_image'),
    meta('name', 'twitter:title', card.title),
    meta('name', 'twitter:description', card.description),
    ...(card.imageUrl === null ? [] : [meta('name', 'twitter:image', card.imageUrl)]),
    ...(card.redirect
      ? [`<meta http-equiv="refresh" content="0; url=${escapeHtml(card.pageUrl)}">`]
      : []),
  ];
  const watch = card.language === 'zh' ? '在 Binge 观看' : 'Watch on Binge';
  return `<!doctype html>
<html lang="${card.language === 'zh' ? 'zh-CN' : 'en'}">
<head>
${head.join('\n')}
</head>
<body>
<h1>${escapeHtml(card.title)}</h1>
<p>${escapeHtml(card.description)}</p>
<p><a href="${escapeHtml(card.pageUrl)}">${watch}</a></p>
</body>
</html>
`;
}

/** The page of a link that names nothing (unknown code, or its show is no longer published). */
export function renderMissingSharePage(): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex">
<title>Link not found · 链接不存在 · ${SITE_NAME}</title>
</head>
<body>
<h1>Link not found · 链接不存在</h1>
<p>This share link does not exist, or what it pointed to is no longer available.</p>
<p>这个分享链接不存在,或者它指向的内容已下架。</p>
<p><a href="/">${SITE_NAME}</a></p>
</body>
</html>
`;
}
