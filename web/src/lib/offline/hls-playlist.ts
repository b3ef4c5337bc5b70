/**
 * The parts of HLS playlists (RFC 8216) the service worker needs to store an episode's start:
 * the master's variants, one media playlist's key, init section and segments. Relative URIs are
 * resolved against the playlist's own URL (§4.1), which keeps the signed token of the media path.
 */
export class PlaylistError extends Error {
  readonly code = 'OFFLINE_PLAYLIST_INVALID';
}

export interface Variant {
  uri: string;
  bandwidth: number;
  /** The picture's short side (the rung, `360` for 360x640), or null without RESOLUTION. */
  rung: number | null;
}

export interface MediaPlaylist {
  /** EXT-X-KEY URIs (METHOD=AES-128 or SAMPLE-AES), deduplicated, in order. */
  keys: string[];
  /** EXT-X-MAP URIs (fMP4 init sections), deduplicated. */
  inits: string[];
  segments: Array<{ uri: string; duration: number }>;
  /** EXT-X-ENDLIST seen: a VOD playlist whose segments never change. */
  ended: boolean;
}

/** Attribute lists (§4.2): `NAME=value` pairs, quoted strings may contain commas. */
export function parseAttributes(list: string): Map<string, string> {
  const attributes = new Map<string, string>();
  const pattern = /([A-Z0-9-]+)=("[^"]*"|[^,]*)/g;
  for (const [, name, raw] of list.matchAll(pattern))
    attributes.set(name!, raw!.startsWith('"') ? raw!.slice(1, -1) : raw!);
  return attributes;
}

function lines(text: string): string[] {
  const all = text.split(/\r?\n/).map((line) => line.trim());
  if (all[0] !== '#EXTM3U') throw new PlaylistError('Not an HLS playlist: no #EXTM3U header');
  return all;
}

function resolve(uri: string, base: string): string {
  try {
    return new URL(uri, base).href;
  } catch {
    throw new PlaylistError(`Unresolvable URI in playlist: ${uri}`);
  }
}

export function isMasterPlaylist(text: string): boolean {
  return /^#EXT-X-STREAM-INF:/m.test(text);
}

export function parseMaster(text: string, baseUrl: string): Variant[] {
  const all = lines(text);
  const variants: Variant[] = [];
  for (let index = 0; index < all.length; index++) {
    const line = all[index]!;
    if (!line.startsWith('#EXT-X-STREAM-INF:')) continue;
    const attributes = parseAttributes(line.slice('#EXT-X-STREAM-INF:'.length));
    let next = index + 1;
    while (next < all.length && (all[next] === '' || all[next]!.startsWith('#'))) next++;
    const uri = all[next];
    if (uri === undefined) throw new PlaylistError('EXT-X-STREAM-INF without a URI');
    const resolution = /^(\d+)x(\d+)$/.exec(attributes.get('RESOLUTION') ?? '');
    variants.push({
      uri: resolve(uri, baseUrl),
      bandwidth: Number(attributes.get('BANDWIDTH') ?? 0) || 0,
      rung: resolution ? Math.min(Number(resolution[1]), Number(resolution[2])) : null,
    });
    index = next;
  }
  return variants;
}

/** The rung offline copies are made at unless the page asks for another. */
export const defaultOfflineRung = 360;

/**
 * The rendition to store: with `maxRung`, the best one at or below it; otherwise the lowest at or
 * above 360p (small enough to store several episodes, sharp enough on a phone). Without a match it
 * falls back to the nearest rung; a ladder without RESOLUTION gives the lowest bandwidth.
 */
export function pickVariant(variants: readonly Variant[], maxRung?: number): Variant | null {
  const sized = variants.filter(
    (variant): variant is Variant & { rung: number } => variant.rung !== null,
  );
  if (sized.length === 0) return [...variants].sort((a, b) => a.bandwidth - b.bandwidth)[0] ?? null;
  // Lowest rung first, and within a rung the lower bitrate.
  const ascending = [...sized].sort((a, b) => a.rung - b.rung || a.bandwidth - b.bandwidth);
  if (maxRung !== undefined) {
    const atOrBelow = ascending.filter((variant) => variant.rung <= maxRung);
    const best = atOrBelow.at(-1);
    if (!best) return ascending[0]!;
    // The richest rendition of the chosen rung.
    return atOrBelow.filter((variant) => variant.rung === best.rung).at(-1)!;
  }
  return ascending.find((variant) => variant.rung >= defaultOfflineRung) ?? ascending.at(-1)!;
}

export function parseMedia(text: string, baseUrl: string): MediaPlaylist {
  const all = lines(text);
  const keys: string[] = [];
  const inits: string[] = [];
  const segments: MediaPlaylist['segments'] = [];
  let ended = false;
  let duration: number | null = null;
  for (const line of all) {
    if (line.startsWith('#EXT-X-KEY:')) {
      const attributes = parseAttributes(line.slice('#EXT-X-KEY:'.length));
      const uri = attributes.get('URI');
      if (attributes.get('METHOD') !== 'NONE' && uri !== undefined) {
        const resolved = resolve(uri, baseUrl);
        if (!keys.includes(resolved)) keys.push(resolved);
      }
    } else if (line.startsWith('#EXT-X-MAP:')) {
      const uri = parseAttributes(line.slice('#EXT-X-MAP:'.length)).get('URI');
      if (uri !== undefined) {
        const resolved = resolve(uri, baseUrl);
        if (!inits.includes(resolved)) inits.push(resolved);
      }
    } else if (line.startsWith('#EXTINF:')) {
      duration = Number.parseFloat(line.slice('#EXTINF:'.length));
      if (!Number.isFinite(duration) || duration < 0)
        throw new PlaylistError(`Bad EXTINF duration: ${line}`);
    } else if (line === '#EXT-X-ENDLIST') {
      ended = true;
    } else if (line !== '' && !line.startsWith('#')) {
      if (duration === null) throw new PlaylistError(`Segment URI without EXTINF: ${line}`);
      segments.push({ uri: resolve(line, baseUrl), duration });
      duration = null;
    }
  }
  if (segments.length === 0) throw new PlaylistError('Media playlist lists no segments');
  return { keys, inits, segments, ended };
}

export interface SegmentPolicy {
  /** Segments stored of a long episode (about 2 s each). */
  firstSegments: number;
  /** An episode up to this long is stored whole. */
  wholeUpToSeconds: number;
}

export const defaultSegmentPolicy: SegmentPolicy = { firstSegments: 8, wholeUpToSeconds: 90 };

/** The segments to store: all of a short VOD episode, else the first few. */
export function segmentsToStore(
  playlist: MediaPlaylist,
  policy: SegmentPolicy = defaultSegmentPolicy,
): MediaPlaylist['segments'] {
  const total = playlist.segments.reduce((sum, segment) => sum + segment.duration, 0);
  if (playlist.ended && total <= policy.wholeUpToSeconds) return playlist.segments;
  return playlist.segments.slice(0, Math.max(1, policy.firstSegments));
}

/**
 * A master playlist reduced to the variants `keep` accepts, for playing offline: a player that
 * picked a rendition the cache lacks would stall on its playlist. Returns null when no variant is
 * left. Lines that belong to a dropped variant (its EXT-X-STREAM-INF and URI) go; everything else
 * stays as written.
 */
export function filterMaster(
  text: string,
  baseUrl: string,
  keep: (variantUrl: string) => boolean,
): string | null {
  const all = text.split(/\r?\n/);
  const out: string[] = [];
  let kept = 0;
  for (let index = 0; index < all.length; index++) {
    const line = all[index]!;
    if (!line.trim().startsWith('#EXT-X-STREAM-INF:')) {
      out.push(line);
      continue;
    }
    let next = index + 1;
    while (next < all.length && (all[next]!.trim() === '' || all[next]!.trim().startsWith('#')))
      next++;
    const uri = all[next]?.trim();
    if (uri !== undefined && keep(resolve(uri, baseUrl))) {
      out.push(...all.slice(index, next + 1));
      kept++;
    }
    index = next;
  }
  return kept === 0 ? null : out.join('\n');
}
