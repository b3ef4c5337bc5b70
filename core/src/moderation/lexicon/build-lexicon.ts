import { createRequire } from 'node:module';
import { enCuration, zhCuration, type LanguageCuration } from './curation.ts';

/**
 * Builds the text of blocked-words.txt from the LDNOOBW lists of the installed `naughty-words`
 * package and curation.ts. Pure apart from reading the package; generate.ts writes the result and
 * lexicon.test.ts fails when the shipped file differs from it.
 */
export interface LexiconSources {
  /** The package's version, named in the file's header. */
  version: string;
  zh: readonly string[];
  en: readonly string[];
}

export function readNaughtyWords(): LexiconSources {
  const require = createRequire(import.meta.url);
  const strings = (value: unknown): string[] => {
    if (!Array.isArray(value) || !value.every((v) => typeof v === 'string'))
      throw new Error('naughty-words: a word list is not an array of strings');
    return value as string[];
  };
  return {
    version: String((require('naughty-words/package.json') as { version: unknown }).version),
    zh: strings(require('naughty-words/zh.json')),
    en: strings(require('naughty-words/en.json')),
  };
}

function section(title: string, source: readonly string[], curation: LanguageCuration): string[] {
  const inWords = new Set(curation.inWords);
  const seen = new Set<string>();
  const lines: string[] = [];
  for (const raw of source) {
    const term = raw.trim();
    if (term.length === 0 || seen.has(term) || Object.hasOwn(curation.dropped, term)) continue;
    seen.add(term);
    lines.push(inWords.has(term) ? `*${term}*` : term);
  }
  const dropped = Object.keys(curation.dropped).length;
  return [
    `# ${title}: ${lines.length} terms (${dropped} source entries dropped, see curation.ts)`,
    ...lines,
    '',
  ];
}

export function buildLexiconText(sources: LexiconSources): string {
  const allowed = [...new Set([...zhCuration.allowed, ...enCuration.allowed])];
  return [
    '# The blocked-words lexicon binge ships: the default of BLOCKED_WORDS_FILE.',
    `# Generated from naughty-words ${sources.version} (the List of Dirty, Naughty, Obscene, and`,
    '# Otherwise Bad Words, LDNOOBW, by Shutterstock and contributors, CC BY 4.0) with the changes',
    '# in curation.ts: see README.md and LICENSE-CC-BY-4.0.txt beside this file. Do not edit by',
    '# hand: edit curation.ts, then run `node --import tsx core/src/moderation/lexicon/generate.ts`.',
    '#',
    '# Syntax (core/src/moderation/lexicon.ts): one entry per line. `term` matches whole words in',
    '# scripts written with spaces and anywhere in Chinese; `*term*` matches inside words too;',
    '# `!word` is an allowed word: a hit inside it does not count.',
    '',
    ...section('Chinese (zh)', sources.zh, zhCuration),
    ...section('English (en)', sources.en, enCuration),
    `# Allowed words: ${allowed.length}`,
    ...allowed.map((word) => `!${word}`),
    '',
  ].join('\n');
}
