import path from 'node:path';
import { escapeFilterValue } from '../ffmpeg/filter-escape.ts';
import type { FontFile } from '../fonts/font-file.ts';
import type { DemoEpisode, DemoSeries } from './demo-catalog.ts';

export interface DemoSourceSpec {
  series: DemoSeries;
  episode: DemoEpisode;
  /** Whether another episode follows (the outro card says "Next: EP N+1" or "The End"). */
  hasNext: boolean;
  width: number;
  height: number;
  font: FontFile | null;
  /** Private directory holding the text files drawtext reads. */
  textDir: string;
  output: string;
}

export const introSeconds = 3;
export const outroSeconds = 4;

/** A per-episode tone: a whole-tone scale from A3 upward, so each episode sounds different. */
export function episodeToneHz(number: number): number {
  return Math.round(220 * 2 ** ((number - 1) / 6));
}

/** The text files drawtext reads (file name → content); writing text to files avoids escaping it. */
export function demoSourceTexts(spec: DemoSourceSpec): Record<string, string> {
  const { series, episode } = spec;
  const n = episode.number;
  const cjk = spec.font?.cjk ?? false;
  const texts: Record<string, string> = {
    'title-en.txt': series.title.en,
    'episode.txt': `EP ${n}  ${episode.title.en}`,
    'timecode.txt': `EP ${n}  %{pts:hms}`,
    'intro-ep.txt': `EP ${n}`,
    'outro-en.txt': spec.hasNext ? `Next: EP ${n + 1}` : 'The End',
  };
  if (cjk) {
    texts['title-zh.txt'] = series.title.zh;
    texts['episode-zh.txt'] = `第${n}集 ${episode.title.zh}`;
    texts['outro-zh.txt'] = spec.hasNext ? `下一集 第${n + 1}集` : '全剧终';
  }
  return texts;
}

/**
 * ffmpeg arguments rendering one demo episode: the series' own lavfi background and grade, the
 * title in Chinese and English, "EP N", a running timecode, a title card for the first 3 s and a
 * "Next: EP N+1" card for the last 4 s, over a sine tone whose pitch is the episode's own.
 */
export function buildDemoSourceArgs(spec: DemoSourceSpec): string[] {
  const { series, episode, width: w, height: h } = spec;
  const d = episode.durationSeconds;
  const texts = demoSourceTexts(spec);
  const font = spec.font ? `:fontfile=${escapeFilterValue(spec.font.file)}` : '';
  const text = (file: string, style: string, enable?: string) =>
    texts[file] === undefined
      ? []
      : [
          `drawtext=textfile=${escapeFilterValue(path.join(spec.textDir, file))}${font}:${style}` +
            (enable ? `:enable='${enable}'` : ''),
        ];
  const intro = `lt(t,${introSeconds})`;
  const outro = `gte(t,${d - outroSeconds})`;
  const card = series.look.cardColor;
  const white = 'fontcolor=white:x=(w-tw)/2';
  const filters = [
    `[0:v]${series.look.grade ? `${series.look.grade},` : ''}format=yuv420p`,
    `drawbox=x=0:y=ih*0.07:w=iw:h=ih*0.15:color=black@0.5:t=fill`,
    ...(spec.font
      ? [
          ...text('title-zh.txt', `fontsize=h/20:${white}:y=h*0.085`),
          ...text(
            'title-en.txt',
            `fontsize=h/42:${white}:y=h*${texts['title-zh.txt'] ? '0.17' : '0.12'}`,
          ),
          ...text('episode-zh.txt', `fontsize=h/30:${white}:y=h*0.74:borderw=2:bordercolor=black`),
          ...text('episode.txt', `fontsize=h/38:${white}:y=h*0.79:borderw=2:bordercolor=black`),
          ...text(
            'timecode.txt',
            'fontsize=h/34:fontcolor=white:x=w*0.05:y=h*0.9:box=1:boxcolor=black@0.6:boxborderw=8',
          ),
        ]
      : []),
    `drawbox=x=0:y=0:w=iw:h=ih:color=${card}@0.92:t=fill:enable='${intro}'`,
    `drawbox=x=0:y=0:w=iw:h=ih:color=black@0.85:t=fill:enable='${outro}'`,
    ...(spec.font
      ? [
          ...text('title-zh.txt', `fontsize=h/13:${white}:y=h*0.36`, intro),
          ...text('title-en.txt', `fontsize=h/30:${white}:y=h*0.47`, intro),
          ...text('intro-ep.txt', `fontsize=h/16:${white}:y=h*0.56`, intro),
          ...text('outro-zh.txt', `fontsize=h/16:${white}:y=h*0.40`, outro),
          ...text('outro-en.txt', `fontsize=h/22:${white}:y=h*0.50`, outro),
        ]
      : []),
  ];
  return [
    '-hide_banner',
    '-nostdin',
    '-y',
    '-v',
    'error',
    '-t',
    String(d),
    '-f',
    'lavfi',
    '-i',
    `${series.look.background}${series.look.background.includes('=') ? ':' : '='}s=${w}x${h}:r=25`,
    '-t',
    String(d),
    '-f',
    'lavfi',
    '-i',
    `sine=frequency=${episodeToneHz(episode.number)}:sample_rate=48000`,
    '-filter_complex',
    `${filters.join(',')}[v];[1:a]volume=0.5,aformat=channel_layouts=stereo[a]`,
    '-map',
    '[v]',
    '-map',
    '[a]',
    '-c:v',
    'libx264',
    '-preset',
    'ultrafast',
    '-crf',
    '20',
    '-g',
    '50',
    '-c:a',
    'aac',
    '-b:a',
    '128k',
    '-movflags',
    '+faststart',
    '-t',
    String(d),
    spec.output,
  ];
}
