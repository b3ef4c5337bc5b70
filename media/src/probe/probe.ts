import { MediaError } from '../errors/media-error.ts';
import { runFfmpeg } from '../ffmpeg/run-ffmpeg.ts';
import { parseProbeOutput, type MediaInfo } from './media-info.ts';

/**
 * Probes a local file. Anything ffprobe cannot read is the source's fault, so it becomes
 * MEDIA_SOURCE_INVALID with ffprobe's own words, not a generic ffmpeg failure.
 */
export async function probeMedia(
  ffprobe: string,
  file: string,
  signal?: AbortSignal,
): Promise<MediaInfo> {
  let json: string;
  try {
    json = await runFfmpeg(
      ffprobe,
      ['-v', 'error', '-print_format', 'json', '-show_format', '-show_streams', file],
      { purpose: 'ffprobe', ...(signal ? { signal } : {}) },
    );
  } catch (error) {
    if (error instanceof MediaError && error.code === 'MEDIA_FFMPEG_FAILED') {
      throw new MediaError(
        'MEDIA_SOURCE_INVALID',
        error.message.replace(/^MEDIA_FFMPEG_FAILED: /, ''),
        {
          cause: error,
        },
      );
    }
    throw error;
  }
  return parseProbeOutput(json, 'source');
}
