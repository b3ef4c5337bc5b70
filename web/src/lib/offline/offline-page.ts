import { format } from '../i18n/messages.ts';
import type { Locale } from '../i18n/locale.ts';
import { messages } from './messages.ts';

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (char) => `&#${char.charCodeAt(0)};`);
}

/**
 * The page a navigation gets when the network is down: pages are rendered on the server, so
 * there is no cached copy of them to show. It links back to the address asked for.
 */
export function offlinePage(locale: Locale, url: string): string {
  const text = messages[locale];
  const title = escapeHtml(format(text.offlineTitle));
  return `<!doctype html>
<html lang="${locale}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${title} · Binge</title>
<style>
body{margin:0;min-height:100dvh;display:grid;place-items:center;background:#0b0b10;color:#eeeaf6;font-family:system-ui,-apple-system,'PingFang SC','Noto Sans CJK SC',sans-serif}
main{max-width:28rem;padding:24px;text-align:center}
a{display:inline-block;margin-top:12px;padding:10px 18px;border-radius:999px;background:#ff3d6e;color:#fff;text-decoration:none;font-weight:600}
a:focus-visible{outline:2px solid #ffc857;outline-offset:2px}
</style>
</head>
<body>
<main data-testid="offline-page">
<h1>${title}</h1>
<p>${escapeHtml(format(text.offlineBody))}</p>
<a href="${escapeHtml(url)}">${escapeHtml(format(text.offlineRetry))}</a>
</main>
</body>
</html>
`;
}
