import type { HandleFetch } from '@sveltejs/kit';
import { env } from '$env/dynamic/private';
import { apiOrigin, isApiPath } from '$lib/server/api-origin.ts';

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
