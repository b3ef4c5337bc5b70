/**
 * Media pipeline throughput: seconds of output produced per second of wall time, per rendition
 * (each rendition alone, through the same ffmpeg arguments the worker uses) and for the full
 * ladder in one run, for a 720x1280 and a 1080x1920 30 s source. Median of 3 runs.
 * Run: npm run bench:pipeline
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { locateFfmpeg } from '../media/src/ffmpeg/ffmpeg-location.ts';
import { planLadder, type Rendition } from '../media/src/ladder/ladder.ts';
import { probeMedia } from '../media/src/probe/probe.ts';
import { transcodeLadder } from '../media/src/transcode/transcode.ts';
import { median } from './support/load.ts';

const runs = 3;
const seconds = 30;
const { ffmpeg, ffprobe, origin } = locateFfmpeg({
  ffmpegPath: process.env.FFMPEG_PATH,
  ffprobePath: process.env.FFPROBE_PATH,
});
const work = mkdtempSync(path.join(os.tmpdir(), 'binge-bench-pipeline-'));

function makeSource(width: number, height: number): string {
  const file = path.join(work, `src-${width}x${height}.mp4`);
  const result = spawnSync(ffmpeg, [
    '-v',
    'error',
    '-y',
    '-f',
    'lavfi',
    '-i',
    `testsrc2=s=${width}x${height}:r=30:d=${seconds}`,
    '-f',
    'lavfi',
    '-i',
    `sine=frequency=440:sample_rate=48000:d=${seconds}`,
    '-c:v',
    'libx264',
    '-preset',
    'ultrafast',
    '-crf',
    '18',
    '-pix_fmt',
    'yuv420p',
    '-c:a',
    'aac',
    file,
  ]);
  if (result.status !== 0) throw new Error(result.stderr.toString());
  return file;
}

async function measure(
  input: string,
  renditions: Rendition[],
  hasAudio: boolean,
  fps: number,
  duration: number,
): Promise<number> {
  const speeds: number[] = [];
  for (let i = 0; i < runs; i++) {
    const outDir = mkdtempSync(path.join(work, 'out-'));
    const started = process.hrtime.bigint();
    await transcodeLadder(
      { input, outDir, renditions, hasAudio, sourceFps: fps, segmentSeconds: 2 },
      { ffmpeg, durationSeconds: duration },
    );
    const wall = Number(process.hrtime.bigint() - started) / 1e9;
    speeds.push(duration / wall);
    rmSync(outDir, { recursive: true, force: true });
  }
  return median(speeds);
}

try {
  console.log(
    `ffmpeg: ${ffmpeg} (${origin}); ${os.cpus().length} cores (${os.cpus()[0]?.model ?? '?'}); preset veryfast; median of ${runs}`,
  );
  const rows: string[][] = [['source', 'output', 'output s / wall s']];
  for (const [w, h] of [
    [720, 1280],
    [1080, 1920],
  ] as const) {
    const input = makeSource(w, h);
    const info = await probeMedia(ffprobe, input);
    const plan = planLadder(info);
    for (const r of plan) {
      rows.push([
        `${w}x${h}`,
        `${r.name} alone`,
        (await measure(input, [r], info.hasAudio, info.fps, info.durationSeconds)).toFixed(2),
      ]);
    }
    rows.push([
      `${w}x${h}`,
      `ladder ${plan.map((r) => r.name).join('+')}`,
      (await measure(input, plan, info.hasAudio, info.fps, info.durationSeconds)).toFixed(2),
    ]);
  }
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((row) => row[i]!.length)));
  for (const row of rows) console.log(row.map((cell, i) => cell.padEnd(widths[i]!)).join('  '));
  console.log('Peer: real time = 1.00 (a value above 1 transcodes faster than playback).');
} finally {
  rmSync(work, { recursive: true, force: true });
}
