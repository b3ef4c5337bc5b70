import { statSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { progressFraction } from '../ffmpeg/ffmpeg-progress.ts';
import { runFfmpeg } from '../ffmpeg/run-ffmpeg.ts';
import { buildMasterPlaylist } from '../hls/master-playlist.ts';
import { measureBitrate, parseMediaPlaylist } from '../hls/media-playlist.ts';
import { outputFps, type Rendition } from '../ladder/ladder.ts';
import { buildTranscodeArgs, renditionPlaylist, type TranscodePlan } from './transcode-args.ts';

export const masterPlaylistName = 'master.m3u8';

export interface TranscodedRendition extends Rendition {
  /** Path of the rendition playlist relative to the output directory, e.g. `720p/index.m3u8`. */
  playlist: string;
  /** The value written as BANDWIDTH: measured peak when segments exist, else the planned one. */
  declaredBandwidth: number;
  averageBandwidth: number | null;
  segmentCount: number;
}

export interface TranscodeOptions {
  ffmpeg: string;
  durationSeconds: number;
  signal?: AbortSignal;
  /** 0..1 of this transcode. */
  onProgress?: (fraction: number) => void;
}

/**
 * Runs the ladder transcode into plan.outDir and writes master.m3u8 beside the rendition folders,
 * with BANDWIDTH and AVERAGE-BANDWIDTH measured from the real segment sizes (RFC 8216 §4.3.4.2
 * wants the peak segment bit rate, which the planner can only estimate).
 */
export async function transcodeLadder(
  plan: TranscodePlan,
  options: TranscodeOptions,
): Promise<TranscodedRendition[]> {
  for (const r of plan.renditions) await mkdir(path.join(plan.outDir, r.name), { recursive: true });
  await runFfmpeg(options.ffmpeg, buildTranscodeArgs(plan), {
    purpose: 'transcode',
    ...(options.signal ? { signal: options.signal } : {}),
    ...(options.onProgress
      ? {
          onProgress: (position: number) =>
            options.onProgress!(progressFraction(position, options.durationSeconds)),
        }
      : {}),
  });

  const results: TranscodedRendition[] = [];
  for (const r of plan.renditions) {
    const dir = path.join(plan.outDir, r.name);
    const playlist = parseMediaPlaylist(await readFile(path.join(dir, renditionPlaylist), 'utf8'));
    const measured = measureBitrate(playlist.segments, (uri) => statSync(path.join(dir, uri)).size);
    results.push({
      ...r,
      playlist: `${r.name}/${renditionPlaylist}`,
      declaredBandwidth: measured?.peak ?? r.bandwidth,
      averageBandwidth: measured?.average ?? null,
      segmentCount: playlist.segments.length,
    });
  }
  const fps = outputFps(plan.sourceFps);
  await writeFile(
    path.join(plan.outDir, masterPlaylistName),
    buildMasterPlaylist(
      results.map((r) => ({
        uri: r.playlist,
        bandwidth: r.declaredBandwidth,
        ...(r.averageBandwidth === null ? {} : { averageBandwidth: r.averageBandwidth }),
        width: r.width,
        height: r.height,
        codecs: r.codecs,
        frameRate: fps,
      })),
    ),
  );
  return results;
}
