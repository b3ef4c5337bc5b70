/**
 * The name a session shows in the device list: the one the app sent at sign-in, else a guess from
 * the User-Agent good enough for a person to recognise their own devices ("Chrome on Windows",
 * "iPhone"). Only ever shown to the account's owner, as text.
 */
const MAX_LENGTH = 64;
const MAX_USER_AGENT = 512;

/** Control and format characters and line breaks removed, whitespace collapsed, length capped. */
export function cleanDeviceName(name: string): string | null {
  const cleaned = name
    .replace(/[\p{Cc}\p{Cf}\u2028\u2029]/gu, ' ')
    .replace(/\s+/g, ' ')
    .trim();
  return cleaned.length === 0 ? null : [...cleaned].slice(0, MAX_LENGTH).join('');
}

const platforms: Array<[RegExp, string]> = [
  [/iPhone/, 'iPhone'],
  [/iPad/, 'iPad'],
  [/Android/, 'Android'],
  [/HarmonyOS|OpenHarmony/, 'HarmonyOS'],
  [/Windows/, 'Windows'],
  [/Mac OS X|Macintosh/, 'macOS'],
  [/CrOS/, 'ChromeOS'],
  [/Linux/, 'Linux'],
];

/** Order matters: Edge and Opera also say Chrome; Chrome also says Safari; WeChat says all. */
const browsers: Array<[RegExp, string]> = [
  [/MicroMessenger\//, 'WeChat'],
  [/Weibo/, 'Weibo'],
  [/Edg(e|A|iOS)?\//, 'Edge'],
  [/OPR\/|Opera/, 'Opera'],
  [/Firefox\/|FxiOS\//, 'Firefox'],
  [/Chrome\/|CriOS\//, 'Chrome'],
  [/Version\/[\d.]+.*Safari\//, 'Safari'],
];

/** An app of ours identifies as `binge-<platform>/<version>`. */
const ourApp = /^binge-([a-z]+)\/[\w.-]+/i;

export function deviceNameFromUserAgent(userAgent: string | undefined): string {
  if (userAgent === undefined || userAgent.length === 0) return 'Unknown device';
  const ua = userAgent.slice(0, MAX_USER_AGENT);
  const app = ourApp.exec(ua);
  if (app) return `binge app (${app[1]!.slice(0, 16)})`;
  const platform = platforms.find(([pattern]) => pattern.test(ua))?.[1];
  const browser = browsers.find(([pattern]) => pattern.test(ua))?.[1];
  if (platform && browser) return `${browser} on ${platform}`;
  return platform ?? browser ?? 'Unknown device';
}

export function deviceNameOf(given: string | undefined, userAgent: string | undefined): string {
  return (
    (given === undefined ? null : cleanDeviceName(given)) ?? deviceNameFromUserAgent(userAgent)
  );
}
