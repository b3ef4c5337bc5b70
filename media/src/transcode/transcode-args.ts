import path from 'node:path';
import { escapeFilterValue } from '../ffmpeg/filter-escape.ts';
import { outputFps, type Rendition } from '../ladder/ladder.ts';

export interface TranscodePlan {
  input: string;
  outDir: string;
  renditions: readonly Rendition[];
  hasAudio: boolean;
  sourceFps: number;
  segmentSeconds: number;
  /** Burned-in text, read from a file so no user text is ever parsed as filter syntax. */
  watermark?: { textFile: string; fontFile: string | null };
  /** AES-128: ffmpeg's key info file (URI, key path, IV). */
  keyInfoFile?: string;
  /** x264 preset; veryfast keeps the demo start quick at an acceptable size. */
  preset?: string;
}

export const segmentPattern = 'seg_%05d.ts';
export const renditionPlaylist = 'index.m3u8';

function watermarkFilter(plan: TranscodePlan): string {
  if (!plan.watermark) return '';
  const font = plan.watermark.fontFile
    ? `:fontfile=${escapeFilterValue(plan.watermark.fontFile)}`
    : '';
  return (
    `,drawtext=textfile=${escapeFilterValue(plan.watermark.textFile)}${font}` +
    ':fontsize=h/32:fontcolor=white@0.55:borderw=1:bordercolor=black@0.35:x=w-tw-h/48:y=h/48'
  );
}

/**
 * Arguments of the one ffmpeg run that decodes the source once and encodes every rendition: the
 * decoded picture is split, scaled per rung and encoded with keyframes forced at the same
 * instants in every rung (fixed GOP, no scene-cut keyframes), so segment N of each rendition
 * covers the same time span and players can switch between them at any segment boundary.
 */
export function buildTranscodeArgs(plan: TranscodePlan): string[] {
  const n = plan.renditions.length;
  if (n === 0) throw new RangeError('no renditions to encode');
  const fps = outputFps(plan.sourceFps);
  const gop = Math.max(1, Math.round(fps * plan.segmentSeconds));
  const head = plan.sourceFps > 30 ? `fps=${fps},` : '';
  const labels = plan.renditions.map((_, i) => `[s${i}]`).join('');
  const graph = [n === 1 ? `[0:v]${head}null${labels}` : `[0:v]${head}split=${n}${labels}`];
  plan.renditions.forEach((r, i) => {
    graph.push(
      `[s${i}]scale=${r.width}:${r.height}:flags=bicubic,setsar=1${watermarkFilter(plan)},format=yuv420p[v${i}]`,
    );
  });

  const args = [
    '-hide_banner',
    '-nostdin',
    '-y',
    '-v',
    'error',
    '-i',
    plan.input,
    '-filter_complex',
    graph.join(';'),
  ];
  plan.renditions.forEach((r, i) => {
    const dir = path.join(plan.outDir, r.name);
    args.push('-map', `[v${i}]`);
    if (plan.hasAudio) args.push('-map', '0:a:0');
    args.push(
      '-c:v',
      'libx264',
      '-preset',
      plan.preset ?? 'veryfast',
      '-profile:v',
      'main',
      '-level:v',
      r.level,
      '-b:v',
      `${r.videoKbps}k`,
      '-maxrate',
      `${r.maxrateKbps}k`,
      '-bufsize',
      `${r.bufsizeKbps}k`,
      '-g',
      String(gop),
      '-keyint_min',
      String(gop),
      '-sc_threshold',
      '0',
      '-force_key_frames',
      `expr:gte(t,n_forced*${plan.segmentSeconds})`,
    );
    if (plan.hasAudio)
      args.push('-c:a', 'aac', '-b:a', `${r.audioKbps}k`, '-ac', '2', '-ar', '48000');
    args.push(
      '-max_muxing_queue_size',
      '1024',
      '-f',
      'hls',
      '-hls_time',
      String(plan.segmentSeconds),
      '-hls_playlist_type',
      'vod',
      '-hls_segment_type',
      'mpegts',
      '-hls_flags',
      'independent_segments',
      '-start_number',
      '1',
      '-hls_segment_filename',
      path.join(dir, segmentPattern),
    );
    if (plan.keyInfoFile) args.push('-hls_key_info_file', plan.keyInfoFile);
    args.push(path.join(dir, renditionPlaylist));
  });
  return args;
}
