/**
 * Regenerates blocked-words.txt: `node --import tsx core/src/moderation/lexicon/generate.ts`.
 * Run it after editing curation.ts or upgrading naughty-words; lexicon.test.ts fails until then.
 */
import { writeFileSync } from 'node:fs';
import { buildLexiconText, readNaughtyWords } from './build-lexicon.ts';

const file = new URL('./blocked-words.txt', import.meta.url);
writeFileSync(file, buildLexiconText(readNaughtyWords()));
console.log(`wrote ${file.pathname}`);
