import type { Bus } from '@binge/core/bus';
import type { Database } from '@binge/core/db';
import type { Logger } from '@binge/core/log';
import type { JobContext, Processor, TranscodeJobData } from '@binge/core/queue';
import type { Storage } from '@binge/core/storage';
import { MediaError } from '../errors/media-error.ts';
import { locateFfmpeg, type FfmpegLocation } from '../ffmpeg/ffmpeg-location.ts';
import { findFont, type FontFile } from '../fonts/font-file.ts';
import type { DemoSeries } from '../demo/demo-catalog.ts';
import {
  createDemoSourceProcessor,
  demoSourceJobName,
  transcodeJobName,
} from '../demo/demo-source-job.ts';
import type { RungDefinition } from '../ladder/ladder.ts';
import { createTranscodeProcessor, type MediaConfig } from './transcode-processor.ts';

export interface MediaProcessorDeps {
  db: Database;
  storage: Storage;
  bus: Bus;
  config: MediaConfig;
  logger: Logger;
  ffmpeg?: FfmpegLocation;
  ladder?: readonly RungDefinition[];
  demoCatalog?: readonly DemoSeries[];
  demoSourceSize?: { width: number; height: number };
  tempRoot?: string;
}

/** The media queue's one processor: `transcode` and `demo-source` jobs, by job name. */
export function createMediaProcessor(deps: MediaProcessorDeps): Processor {
  let location = deps.ffmpeg;
  const binaries = (): FfmpegLocation => {
    if (!location) {
      location = locateFfmpeg({
        ffmpegPath: deps.config.ffmpegPath,
        ffprobePath: deps.config.ffprobePath,
      });
      deps.logger.info(
        { ffmpeg: location.ffmpeg, ffprobe: location.ffprobe, origin: location.origin },
        'using ffmpeg',
      );
    }
    return location;
  };
  let font: FontFile | null | undefined;
  const fontFile = (): FontFile | null => {
    if (font === undefined) {
      font = findFont();
      if (!font)
        deps.logger.warn('no font found: demo sources carry no text (install fonts-noto-cjk)');
      else if (!font.cjk)
        deps.logger.warn({ font: font.file }, 'no CJK font: demo sources show English titles only');
    }
    return font;
  };
  const transcode = createTranscodeProcessor({
    db: deps.db,
    storage: deps.storage,
    bus: deps.bus,
    config: deps.config,
    logger: deps.logger,
    ...(deps.ladder ? { ladder: deps.ladder } : {}),
    ...(deps.tempRoot ? { tempRoot: deps.tempRoot } : {}),
    ffmpeg: binaries,
  });
  const demoSource = createDemoSourceProcessor({
    storage: deps.storage,
    transcode,
    logger: deps.logger,
    binaries,
    font: fontFile,
    ...(deps.demoCatalog ? { catalog: deps.demoCatalog } : {}),
    ...(deps.demoSourceSize ? { size: deps.demoSourceSize } : {}),
    ...(deps.tempRoot ? { tempRoot: deps.tempRoot } : {}),
  });

  return async (job: JobContext<unknown>) => {
    if (job.name === transcodeJobName) return transcode(job as JobContext<TranscodeJobData>);
    if (job.name === demoSourceJobName) return demoSource(job);
    throw new MediaError('MEDIA_JOB_INVALID', `unknown media job name ${JSON.stringify(job.name)}`);
  };
}
