import { spawnSync } from 'node:child_process';
import { accessSync, chmodSync, constants, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { MediaError } from '../errors/media-error.ts';

/** Where the pipeline's binaries come from; `origin` is logged at start so operators know. */
export interface FfmpegLocation {
  ffmpeg: string;
  ffprobe: string;
  origin: 'config' | 'path' | 'npm';
}

export interface LocateFfmpegOptions {
  ffmpegPath: string | undefined;
  ffprobePath: string | undefined;
  /** The PATH to search; process.env.PATH by default. */
  searchPath?: string;
}

function isExecutable(file: string): boolean {
  try {
    accessSync(file, constants.X_OK);
    return statSync(file).isFile();
  } catch {
    return false;
  }
}

function onPath(name: string, searchPath: string): string | null {
  for (const dir of searchPath.split(path.delimiter)) {
    if (dir === '') continue;
    const candidate = path.join(dir, name);
    if (isExecutable(candidate)) return candidate;
  }
  return null;
}

/** Runs `<binary> -version`; a binary that cannot even print its version is not usable. */
function runs(binary: string): boolean {
  const result = spawnSync(binary, ['-hide_banner', '-version'], {
    stdio: 'ignore',
    timeout: 10_000,
  });
  return result.status === 0;
}

/**
 * The @ffmpeg-installer / @ffprobe-installer packages ship the binary inside node_modules; their
 * install scripts do not always chmod it (npm with ignore-scripts, or a tarball unpacked as
 * another user), so we add the execute bits ourselves when the file is ours to change.
 */
function npmBinary(packageName: string): string | null {
  let file: string;
  try {
    const require = createRequire(import.meta.url);
    file = (require(packageName) as { path: string }).path;
  } catch {
    return null;
  }
  if (!isExecutable(file)) {
    try {
      chmodSync(file, statSync(file).mode | 0o111);
    } catch {
      return null;
    }
  }
  return isExecutable(file) ? file : null;
}

/**
 * Picks ffmpeg and ffprobe: the configured paths (FFMPEG_PATH / FFPROBE_PATH), else the system
 * binaries on PATH, else the npm-packaged static builds. Both must come from a working source.
 */
export function locateFfmpeg(options: LocateFfmpegOptions): FfmpegLocation {
  if (options.ffmpegPath !== undefined || options.ffprobePath !== undefined) {
    const ffmpeg = options.ffmpegPath ?? 'ffmpeg';
    const ffprobe = options.ffprobePath ?? 'ffprobe';
    for (const [name, binary] of [
      ['FFMPEG_PATH', ffmpeg],
      ['FFPROBE_PATH', ffprobe],
    ] as const) {
      if (!runs(binary))
        throw new MediaError('MEDIA_FFMPEG_NOT_FOUND', `${name}=${binary} does not run`);
    }
    return { ffmpeg, ffprobe, origin: 'config' };
  }
  const searchPath = options.searchPath ?? process.env.PATH ?? '';
  const systemFfmpeg = onPath('ffmpeg', searchPath);
  const systemFfprobe = onPath('ffprobe', searchPath);
  if (systemFfmpeg && systemFfprobe && runs(systemFfmpeg) && runs(systemFfprobe)) {
    return { ffmpeg: systemFfmpeg, ffprobe: systemFfprobe, origin: 'path' };
  }
  const npmFfmpeg = npmBinary('@ffmpeg-installer/ffmpeg');
  const npmFfprobe = npmBinary('@ffprobe-installer/ffprobe');
  if (npmFfmpeg && npmFfprobe && runs(npmFfmpeg) && runs(npmFfprobe)) {
    return { ffmpeg: npmFfmpeg, ffprobe: npmFfprobe, origin: 'npm' };
  }
  throw new MediaError(
    'MEDIA_FFMPEG_NOT_FOUND',
    'no ffmpeg/ffprobe pair runs: set FFMPEG_PATH and FFPROBE_PATH, install ffmpeg, or reinstall @ffmpeg-installer/ffmpeg and @ffprobe-installer/ffprobe',
  );
}
