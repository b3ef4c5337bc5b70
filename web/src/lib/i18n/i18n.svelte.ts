import { defaultLocale, localeCookie, type Locale } from './locale.ts';
import { format, type Catalogue, type Params } from './messages.ts';

/**
 * The current locale, one per page. The root layout sets it from the server's choice (cookie or
 * Accept-Language) before anything renders, so SSR and hydration agree.
 */
const current = $state<{ locale: Locale }>({ locale: defaultLocale });

export function getLocale(): Locale {
  return current.locale;
}

export function setLocale(locale: Locale, remember = false): void {
  current.locale = locale;
  if (remember && typeof document !== 'undefined') {
    document.cookie = `${localeCookie}=${locale}; path=/; max-age=31536000; samesite=lax`;
    document.documentElement.lang = locale;
  }
}

/**
 * A feature's translate function: `const t = translator(messages)` then `t('key', {n: 3})` in the
 * markup. It reads the locale reactively, so switching language re-renders every string.
 */
export function translator<K extends string>(catalogue: Catalogue<K>) {
  return (key: K, params?: Params): string => format(catalogue[current.locale][key], params);
}
