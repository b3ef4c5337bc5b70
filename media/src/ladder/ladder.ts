/**
 * The HLS bitrate ladder: which renditions to make from a source and what the master playlist
 * must say about each. Pure, so the arithmetic is tested without ffmpeg.
 */
export interface RungDefinition {
  /** Length of the picture's short side in pixels: 360 means 360x640 portrait or 640x360 landscape. */
  shortSide: number;
  videoKbps: number;
  audioKbps: number;
}

/** Short dramas are portrait; these bitrates suit H.264 at the given short side up to 30 fps. */
export const defaultLadder: readonly RungDefinition[] = [
  { shortSide: 360, videoKbps: 800, audioKbps: 96 },
  { shortSide: 720, videoKbps: 2500, audioKbps: 128 },
  { shortSide: 1080, videoKbps: 4500, audioKbps: 128 },
];

export interface Rendition {
  /** Directory and display name, e.g. `720p`. */
  name: string;
  width: number;
  height: number;
  videoKbps: number;
  /** Cap for the encoder's rate control (VBV), so the peak stays predictable. */
  maxrateKbps: number;
  bufsizeKbps: number;
  audioKbps: number;
  /** H.264 level as ffmpeg's `-level` wants it, e.g. `3.1`. */
  level: string;
  /** RFC 6381 codecs string for the master playlist. */
  codecs: string;
  /** Declared peak bits per second, video + audio + MPEG-TS overhead (RFC 8216 §4.3.4.2). */
  bandwidth: number;
}

export interface LadderSource {
  width: number;
  height: number;
  hasAudio: boolean;
  fps: number;
}

/** Frame rate the ladder encodes at: the source's, capped at 30 (levels below assume ≤ 30). */
export function outputFps(sourceFps: number): number {
  return sourceFps > 0 ? Math.min(30, sourceFps) : 30;
}

function even(value: number): number {
  return Math.max(2, Math.round(value / 2) * 2);
}

/**
 * The smallest H.264 level (ITU-T H.264 Table A-1) whose frame size and macroblock rate hold
 * the picture at the given fps.
 */
function h264Level(width: number, height: number, fps: number): { name: string; idc: number } {
  const frameMbs = Math.ceil(width / 16) * Math.ceil(height / 16);
  const mbRate = frameMbs * Math.ceil(fps);
  const levels = [
    { name: '3.0', idc: 30, maxFs: 1620, maxMbps: 40500 },
    { name: '3.1', idc: 31, maxFs: 3600, maxMbps: 108000 },
    { name: '3.2', idc: 32, maxFs: 5120, maxMbps: 216000 },
    { name: '4.0', idc: 40, maxFs: 8192, maxMbps: 245760 },
    { name: '4.2', idc: 42, maxFs: 8704, maxMbps: 522240 },
    { name: '5.0', idc: 50, maxFs: 22080, maxMbps: 589824 },
    { name: '5.1', idc: 51, maxFs: 36864, maxMbps: 983040 },
  ];
  const level = levels.find((l) => frameMbs <= l.maxFs && mbRate <= l.maxMbps) ?? levels.at(-1)!;
  return { name: level.name, idc: level.idc };
}

/** MPEG-TS packet headers, PES headers and PAT/PMT cost roughly this much over the payload. */
const tsOverhead = 1.08;
const aacCodec = 'mp4a.40.2';

function rendition(source: LadderSource, rung: RungDefinition, fps: number): Rendition {
  const portrait = source.height >= source.width;
  const scale = rung.shortSide / Math.min(source.width, source.height);
  const width = portrait ? even(rung.shortSide) : even(source.width * scale);
  const height = portrait ? even(source.height * scale) : even(rung.shortSide);
  const level = h264Level(width, height, fps);
  const maxrateKbps = Math.round(rung.videoKbps * 1.2);
  const audioKbps = source.hasAudio ? rung.audioKbps : 0;
  // Main profile (profile_idc 0x4d, constraint_set1 0x40) plays on every HLS client.
  const avc = `avc1.4d40${level.idc.toString(16).padStart(2, '0')}`;
  return {
    name: `${rung.shortSide}p`,
    width,
    height,
    videoKbps: rung.videoKbps,
    maxrateKbps,
    bufsizeKbps: rung.videoKbps * 2,
    audioKbps,
    level: level.name,
    codecs: source.hasAudio ? `${avc},${aacCodec}` : avc,
    bandwidth: Math.round((maxrateKbps + audioKbps) * 1000 * tsOverhead),
  };
}

/**
 * Plans the renditions for a source: every rung whose short side fits inside the source's short
 * side (never upscale). A source smaller than the lowest rung gets one rendition at its own size;
 * a source well above the highest fitting rung but short of the next also gets a native rung,
 * so a 540p upload is not flattened to 360p.
 */
export function planLadder(
  source: LadderSource,
  ladder: readonly RungDefinition[] = defaultLadder,
): Rendition[] {
  if (!(source.width > 0 && source.height > 0)) throw new RangeError('source has no picture size');
  const rungs = [...ladder].sort((a, b) => a.shortSide - b.shortSide);
  if (rungs.length === 0) throw new RangeError('empty ladder');
  const fps = outputFps(source.fps);
  const sourceShort = Math.max(2, Math.floor(Math.min(source.width, source.height) / 2) * 2);
  const fitting = rungs.filter((r) => r.shortSide <= Math.min(source.width, source.height));
  const plan = fitting.map((rung) => rendition(source, rung, fps));
  const top = fitting.at(-1);
  const next = rungs.find((r) => r.shortSide > Math.min(source.width, source.height));
  if (!top || (next && sourceShort >= top.shortSide * 1.25)) {
    // Interpolate the bitrate by pixel count from the nearest defined rung.
    const base = top ?? rungs[0]!;
    const ratio = (sourceShort / base.shortSide) ** 2;
    const native: RungDefinition = {
      shortSide: sourceShort,
      videoKbps: Math.max(100, Math.round(base.videoKbps * ratio)),
      audioKbps: base.audioKbps,
    };
    plan.push(rendition(source, native, fps));
  }
  return plan;
}
