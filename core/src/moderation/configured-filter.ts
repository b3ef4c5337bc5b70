import { ConfigError, type Config } from '../config/config.ts';
import { defaultLexiconFile, loadLexiconFile, type Lexicon } from './lexicon.ts';
import { allowAll, createLexiconFilter, textPolicy, type TextFilter } from './text-filter.ts';

/** BLOCKED_WORDS_FILE value that turns the keyword filter off. */
export const NO_BLOCKED_WORDS = 'none';

let shippedLexicon: Lexicon | undefined;

/**
 * The keyword filter the configuration asks for, the one both the gateway (danmu, chat, DMs) and
 * the API (names, bios, comments, reviews) use: the shipped lexicon when BLOCKED_WORDS_FILE is
 * unset, none with `BLOCKED_WORDS_FILE=none`, else that file; BLOCKED_WORDS_MODE picks mask or
 * reject for the public texts (textPolicy). A file that cannot be read is a ConfigError naming
 * the variable, so the start stops with a clear message.
 */
export function textFilterFromConfig(
  config: Pick<Config, 'blockedWordsFile' | 'blockedWordsMode'>,
): TextFilter {
  const file = config.blockedWordsFile;
  if (file !== undefined && file.toLowerCase() === NO_BLOCKED_WORDS) return allowAll;
  let lexicon: Lexicon;
  if (file === undefined) {
    // Parsed once per process: the embedded platform builds a filter for the api and the gateway.
    lexicon = shippedLexicon ??= loadLexiconFile(defaultLexiconFile);
  } else {
    try {
      lexicon = loadLexiconFile(file);
    } catch (error) {
      throw new ConfigError('BLOCKED_WORDS_FILE', `cannot be read (${(error as Error).message})`);
    }
  }
  return createLexiconFilter(lexicon, textPolicy(config.blockedWordsMode));
}
