/**
 * The parts of an hls.js ERROR event payload that tell an expired signed URL apart from other
 * failures. Media URLs carry an expiring HMAC token, and the media server answers 403 once it has
 * run out, for the playlist, a segment or the AES key alike.
 */
export interface HlsErrorShape {
  type: string;
  fatal: boolean;
  response?: { code?: number | undefined } | undefined;
  networkDetails?: unknown;
}

/**
 * True for a network error answered 403, fatal or not: hls.js treats a segment 403 as a reason
 * to penalise the rendition and try others, which stalls playback for seconds before anything
 * turns fatal, while retrying the same token can never succeed.
 */
export function isExpiredSourceError(data: HlsErrorShape): boolean {
  if (data.type !== 'networkError') return false;
  if (data.response?.code === 403) return true;
  const details = data.networkDetails as { status?: unknown } | null | undefined;
  return typeof details === 'object' && details !== null && details.status === 403;
}
