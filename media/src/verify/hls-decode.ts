import { spawn } from 'node:child_process';

export interface DecodeResult {
  ok: boolean;
  /** What ffmpeg printed on stderr at -v error: empty when every segment decoded cleanly. */
  errors: string;
  streams: number;
}

function run(
  command: string,
  args: string[],
): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code: code ?? -1, stdout, stderr }));
  });
}

/**
 * Decodes every stream of every variant of an HLS master playlist end to end (`-map 0`, null
 * muxer), fetching playlists, keys and segments over HTTP exactly as a player would.
 */
export async function decodeHls(masterUrl: string): Promise<DecodeResult> {
  const probe = await run('ffprobe', [
    '-v',
    'error',
    '-show_entries',
    'stream=codec_type',
    '-of',
    'json',
    masterUrl,
  ]);
  const streams =
    probe.code === 0 ? (JSON.parse(probe.stdout) as { streams: unknown[] }).streams.length : 0;
  const decode = await run('ffmpeg', [
    '-nostdin',
    '-v',
    'error',
    '-i',
    masterUrl,
    '-map',
    '0',
    '-f',
    'null',
    '-',
  ]);
  const errors = (probe.stderr + decode.stderr).trim();
  return {
    ok: probe.code === 0 && decode.code === 0 && errors === '' && streams > 0,
    errors,
    streams,
  };
}
