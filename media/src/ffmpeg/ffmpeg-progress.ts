/**
 * Parses ffmpeg's `-progress` stream: blocks of `key=value` lines, each block ending with
 * `progress=continue` or `progress=end`. Returns the output position in seconds per block.
 */
export interface ProgressParser {
  /** Feeds a chunk of the stream; returns the positions (seconds) of the blocks it completed. */
  push(chunk: string): number[];
}

export function createProgressParser(): ProgressParser {
  let buffer = '';
  let position = 0;
  return {
    push(chunk) {
      buffer += chunk;
      const lines = buffer.split('\n');
      buffer = lines.pop() ?? '';
      const completed: number[] = [];
      for (const raw of lines) {
        const line = raw.trim();
        const eq = line.indexOf('=');
        if (eq === -1) continue;
        const key = line.slice(0, eq);
        const value = line.slice(eq + 1);
        // out_time_us is the canonical field; very old builds only print out_time_ms (also µs).
        if (key === 'out_time_us' || key === 'out_time_ms') {
          const micros = Number(value);
          if (Number.isFinite(micros) && micros >= 0) position = micros / 1e6;
        } else if (key === 'progress') {
          completed.push(position);
        }
      }
      return completed;
    },
  };
}

/** Position over duration, clamped to 0..1; 0 when the duration is unknown. */
export function progressFraction(positionSeconds: number, durationSeconds: number): number {
  if (!(durationSeconds > 0)) return 0;
  return Math.min(1, Math.max(0, positionSeconds / durationSeconds));
}
