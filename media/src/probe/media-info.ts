import { MediaError } from '../errors/media-error.ts';

/** What the pipeline needs to know about a source, in display orientation. */
export interface MediaInfo {
  durationSeconds: number;
  /** Display width and height: a 90°-rotated phone recording reports its upright size. */
  width: number;
  height: number;
  hasAudio: boolean;
  /** Frames per second; 0 when the container does not say. */
  fps: number;
}

interface ProbeStream {
  codec_type?: string;
  width?: number;
  height?: number;
  avg_frame_rate?: string;
  r_frame_rate?: string;
  duration?: string;
  disposition?: { attached_pic?: number };
  tags?: { rotate?: string };
  side_data_list?: { rotation?: number }[];
}

interface ProbeOutput {
  streams?: ProbeStream[];
  format?: { duration?: string };
}

function rate(value: string | undefined): number {
  if (!value) return 0;
  const [num, den] = value.split('/').map(Number);
  if (!Number.isFinite(num) || !num) return 0;
  const result = den === undefined ? num : den > 0 ? num / den : 0;
  return Number.isFinite(result) && result > 0 && result < 1000 ? result : 0;
}

function rotation(stream: ProbeStream): number {
  const fromSideData = stream.side_data_list?.find((d) => typeof d.rotation === 'number')?.rotation;
  const raw = fromSideData ?? Number(stream.tags?.rotate ?? 0);
  return Number.isFinite(raw) ? ((Math.round(raw) % 360) + 360) % 360 : 0;
}

/** Interprets `ffprobe -print_format json -show_format -show_streams`; pure for testing. */
export function parseProbeOutput(json: string, source: string): MediaInfo {
  let parsed: ProbeOutput;
  try {
    parsed = JSON.parse(json) as ProbeOutput;
  } catch {
    throw new MediaError('MEDIA_SOURCE_INVALID', `${source}: ffprobe output is not JSON`);
  }
  const streams = parsed.streams ?? [];
  const video = streams.find(
    (s) => s.codec_type === 'video' && !s.disposition?.attached_pic && (s.width ?? 0) > 0,
  );
  if (!video) throw new MediaError('MEDIA_SOURCE_INVALID', `${source}: no video stream`);
  const durationSeconds = Number(parsed.format?.duration ?? video.duration ?? Number.NaN);
  if (!Number.isFinite(durationSeconds) || durationSeconds <= 0) {
    throw new MediaError('MEDIA_SOURCE_INVALID', `${source}: unknown or zero duration`);
  }
  const turned = rotation(video) % 180 === 90;
  const width = video.width!;
  const height = video.height ?? 0;
  if (height <= 0) throw new MediaError('MEDIA_SOURCE_INVALID', `${source}: video has no height`);
  return {
    durationSeconds,
    width: turned ? height : width,
    height: turned ? width : height,
    hasAudio: streams.some((s) => s.codec_type === 'audio'),
    fps: rate(video.avg_frame_rate) || rate(video.r_frame_rate),
  };
}
