/** One media segment of an HLS media playlist (RFC 8216 §4.3.2.1). */
export interface PlaylistSegment {
  uri: string;
  durationSeconds: number;
}

export interface MediaPlaylist {
  targetDuration: number;
  segments: PlaylistSegment[];
  /** Every EXT-X-KEY line as written, for checks and tests. */
  keys: string[];
  endList: boolean;
}

/** Reads the parts of a media playlist the pipeline needs; tolerant of tags it does not know. */
export function parseMediaPlaylist(text: string): MediaPlaylist {
  const lines = text.split(/\r?\n/).map((line) => line.trim());
  if (lines[0] !== '#EXTM3U') throw new SyntaxError('not an HLS playlist (no #EXTM3U)');
  const playlist: MediaPlaylist = { targetDuration: 0, segments: [], keys: [], endList: false };
  let pending: number | null = null;
  for (const line of lines) {
    if (line.startsWith('#EXT-X-TARGETDURATION:')) playlist.targetDuration = Number(line.slice(22));
    else if (line.startsWith('#EXTINF:')) pending = Number.parseFloat(line.slice(8));
    else if (line.startsWith('#EXT-X-KEY:')) playlist.keys.push(line);
    else if (line === '#EXT-X-ENDLIST') playlist.endList = true;
    else if (line !== '' && !line.startsWith('#') && pending !== null) {
      playlist.segments.push({ uri: line, durationSeconds: pending });
      pending = null;
    }
  }
  return playlist;
}

/**
 * Peak and average bit rate from real segment sizes: BANDWIDTH must be the largest segment bit
 * rate and AVERAGE-BANDWIDTH the overall rate (RFC 8216 §4.3.4.2).
 */
export function measureBitrate(
  segments: readonly PlaylistSegment[],
  sizeOf: (uri: string) => number,
): { peak: number; average: number } | null {
  let bits = 0;
  let seconds = 0;
  let peak = 0;
  for (const segment of segments) {
    const size = sizeOf(segment.uri) * 8;
    bits += size;
    seconds += segment.durationSeconds;
    // A very short last segment would inflate the peak; rate it over at least one second.
    peak = Math.max(peak, size / Math.max(1, segment.durationSeconds));
  }
  if (seconds <= 0) return null;
  return { peak: Math.ceil(peak), average: Math.ceil(bits / seconds) };
}
