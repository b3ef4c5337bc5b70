/** One EXT-X-STREAM-INF entry of the master playlist. */
export interface VariantStream {
  uri: string;
  bandwidth: number;
  averageBandwidth?: number;
  width: number;
  height: number;
  codecs: string;
  frameRate?: number;
}

/**
 * Writes the master playlist ourselves rather than taking ffmpeg's, so BANDWIDTH, RESOLUTION,
 * CODECS and FRAME-RATE are the values we planned and measured (RFC 8216 §4.3.4.2). Variants are
 * listed lowest first: clients start on the first one, which favours a fast first frame.
 */
export function buildMasterPlaylist(variants: readonly VariantStream[]): string {
  if (variants.length === 0) throw new RangeError('a master playlist needs at least one variant');
  const lines = ['#EXTM3U', '#EXT-X-VERSION:3', '#EXT-X-INDEPENDENT-SEGMENTS'];
  for (const v of [...variants].sort((a, b) => a.bandwidth - b.bandwidth)) {
    const attributes = [`BANDWIDTH=${Math.round(v.bandwidth)}`];
    if (v.averageBandwidth !== undefined)
      attributes.push(`AVERAGE-BANDWIDTH=${Math.round(v.averageBandwidth)}`);
    attributes.push(`RESOLUTION=${v.width}x${v.height}`, `CODECS="${v.codecs}"`);
    if (v.frameRate !== undefined) attributes.push(`FRAME-RATE=${v.frameRate.toFixed(3)}`);
    lines.push(`#EXT-X-STREAM-INF:${attributes.join(',')}`, v.uri);
  }
  return `${lines.join('\n')}\n`;
}
