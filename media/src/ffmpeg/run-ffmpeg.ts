import { spawn } from 'node:child_process';
import { MediaError, abortError } from '../errors/media-error.ts';
import { createProgressParser } from './ffmpeg-progress.ts';

export interface RunFfmpegOptions {
  /** Killed (SIGKILL) when aborted; the promise then rejects with MEDIA_ABORTED. */
  signal?: AbortSignal;
  /** Adds `-progress pipe:1` and calls back with the output position in seconds. */
  onProgress?: (positionSeconds: number) => void;
  /** What the run is for, used in the error message ("transcode", "poster"...). */
  purpose: string;
}

const stderrTailBytes = 4096;

/** The last lines of ffmpeg's stderr that say why it failed, without its banner noise. */
function failureReason(stderr: string): string {
  const lines = stderr
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '' && !line.startsWith('frame=') && !line.startsWith('size='));
  return lines.slice(-3).join(' | ') || 'no error output';
}

/**
 * Runs one ffmpeg (or ffprobe) process and resolves with its stdout. stderr is kept only as a
 * bounded tail for the error message, so a long transcode cannot grow memory.
 */
export function runFfmpeg(
  binary: string,
  args: string[],
  options: RunFfmpegOptions,
): Promise<string> {
  const { signal, onProgress } = options;
  if (signal?.aborted) return Promise.reject(abortError(signal));
  const fullArgs = onProgress ? ['-progress', 'pipe:1', '-nostats', ...args] : args;
  return new Promise((resolve, reject) => {
    const child = spawn(binary, fullArgs, { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    const parser = onProgress ? createProgressParser() : null;
    const onAbort = () => child.kill('SIGKILL');
    signal?.addEventListener('abort', onAbort, { once: true });

    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (chunk: string) => {
      if (parser) for (const position of parser.push(chunk)) onProgress!(position);
      else stdout += chunk;
    });
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (chunk: string) => {
      stderr = (stderr + chunk).slice(-stderrTailBytes);
    });
    child.on('error', (error) => {
      signal?.removeEventListener('abort', onAbort);
      reject(
        new MediaError('MEDIA_FFMPEG_NOT_FOUND', `cannot run ${binary}: ${error.message}`, {
          cause: error,
        }),
      );
    });
    child.on('close', (code, killedBy) => {
      signal?.removeEventListener('abort', onAbort);
      if (signal?.aborted) reject(abortError(signal));
      else if (code === 0) resolve(stdout);
      else
        reject(
          new MediaError(
            'MEDIA_FFMPEG_FAILED',
            `${options.purpose} exited with ${code ?? killedBy}: ${failureReason(stderr)}`,
          ),
        );
    });
  });
}
