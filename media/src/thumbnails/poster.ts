import { runFfmpeg } from '../ffmpeg/run-ffmpeg.ts';

export const posterName = 'poster.jpg';

/** Where the poster frame is taken: about a second in, or 10% for very short clips. */
export function posterTime(durationSeconds: number): number {
  return Math.min(1, durationSeconds * 0.1);
}

/** Writes one JPEG frame, no wider than `maxWidth`, keeping the aspect. */
export async function writePoster(
  ffmpeg: string,
  input: string,
  output: string,
  options: { durationSeconds: number; maxWidth: number; signal?: AbortSignal },
): Promise<void> {
  await runFfmpeg(
    ffmpeg,
    [
      '-hide_banner',
      '-nostdin',
      '-y',
      '-v',
      'error',
      '-ss',
      posterTime(options.durationSeconds).toFixed(3),
      '-i',
      input,
      '-frames:v',
      '1',
      '-vf',
      `scale='min(${options.maxWidth},iw)':-2`,
      '-q:v',
      '3',
      output,
    ],
    { purpose: 'poster', ...(options.signal ? { signal: options.signal } : {}) },
  );
}
