import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { runFfmpeg } from '../ffmpeg/run-ffmpeg.ts';
import type { FontFile } from '../fonts/font-file.ts';
import type { DemoEpisode, DemoSeries } from './demo-catalog.ts';
import { buildDemoSourceArgs, demoSourceTexts } from './demo-source-args.ts';

/** Renders one demo episode to `output` (an .mp4) in a private temp directory it then removes. */
export async function renderDemoSource(options: {
  ffmpeg: string;
  series: DemoSeries;
  episode: DemoEpisode;
  font: FontFile | null;
  output: string;
  width?: number;
  height?: number;
  tempRoot?: string;
  signal?: AbortSignal;
}): Promise<void> {
  const textDir = await mkdtemp(path.join(options.tempRoot ?? os.tmpdir(), 'binge-demo-'));
  try {
    const spec = {
      series: options.series,
      episode: options.episode,
      hasNext: options.episode.number < options.series.episodes.length,
      width: options.width ?? 720,
      height: options.height ?? 1280,
      font: options.font,
      textDir,
      output: options.output,
    };
    for (const [file, text] of Object.entries(demoSourceTexts(spec)))
      await writeFile(path.join(textDir, file), text);
    await runFfmpeg(options.ffmpeg, buildDemoSourceArgs(spec), {
      purpose: 'demo source',
      ...(options.signal ? { signal: options.signal } : {}),
    });
  } finally {
    await rm(textDir, { recursive: true, force: true });
  }
}
