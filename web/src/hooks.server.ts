import type { Handle, HandleFetch } from '@sveltejs/kit';
import { env } from '$env/dynamic/private';
import { apiOrigin, isApiPath } from '$lib/server/api-origin.ts';
import { isLocale, localeCookie, negotiateLocale } from '$lib/i18n/locale.ts';

/** Server-side loads reach the API directly rather than through the public host name. */
export const handleFetch: HandleFetch = async ({ event, request, fetch }) => {
  const url = new URL(request.url);
  if (url.origin !== event.url.origin || !isApiPath(url.pathname)) return fetch(request);
  const socket = event.platform?.req?.socket;
  const origin = apiOrigin({
    configured: env.API_INTERNAL_URL,
    localAddress: socket?.localAddress,
    localPort: socket?.localPort,
  });
  if (origin === null) return fetch(request);
  return fetch(new Request(new URL(url.pathname + url.search, origin), request));
};

/** The page's language: the viewer's remembered choice, else Accept-Language; `<html lang>` too. */
export const handle: Handle = async ({ event, resolve }) => {
  const chosen = event.cookies.get(localeCookie);
  const locale = isLocale(chosen)
    ? chosen
    : negotiateLocale(event.request.headers.get('accept-language'));
  event.locals.locale = locale;
  return resolve(event, {
    transformPageChunk: ({ html }) => html.replace('<html lang="en">', `<html lang="${locale}">`),
  });
};
