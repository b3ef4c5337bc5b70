import type { Locale } from './locale.ts';

/**
 * A feature's strings in every locale. Each feature keeps its own catalogue beside its components
 * (`feed/messages.ts`, `danmu/messages.ts`, …) so features do not contend over one file, and the
 * type makes a key missing in one language a compile error.
 *
 * A message is a string with `{name}` placeholders, or a function of its parameters where grammar
 * depends on them (plurals: use `plural()` below, which follows Intl.PluralRules).
 */
export type Params = Record<string, string | number>;
export type Message = string | ((params: Params) => string);
export type Catalogue<K extends string> = Record<Locale, Record<K, Message>>;

/** Declares a catalogue; English is the reference and zh-CN must have exactly its keys. */
export function defineMessages<K extends string>(catalogue: {
  en: Record<K, Message>;
  'zh-CN': Record<K, Message>;
}): Catalogue<K> {
  return catalogue;
}

const placeholder = /\{(\w+)\}/g;

/** Formats one message; a placeholder without a parameter stays visible rather than vanishing. */
export function format(message: Message, params: Params = {}): string {
  if (typeof message === 'function') return message(params);
  return message.replace(placeholder, (whole, name: string) =>
    name in params ? String(params[name]) : whole,
  );
}

const pluralRules = new Map<Locale, Intl.PluralRules>();

/** Picks the form for `count` by CLDR plural category (English one/other; Chinese has only other). */
export function plural(
  locale: Locale,
  count: number,
  forms: Partial<Record<Intl.LDMLPluralRule, string>> & { other: string },
): string {
  let rules = pluralRules.get(locale);
  if (!rules) {
    rules = new Intl.PluralRules(locale);
    pluralRules.set(locale, rules);
  }
  const form = forms[rules.select(count)] ?? forms.other;
  return form.replace('#', new Intl.NumberFormat(locale).format(count));
}

/** Compact counts as apps show them: 1.2K / 1.2万. */
export function compactNumber(locale: Locale, value: number): string {
  return new Intl.NumberFormat(locale, { notation: 'compact', maximumFractionDigits: 1 }).format(
    value,
  );
}
