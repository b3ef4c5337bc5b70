/**
 * Whether to spend data on episodes the viewer has not asked for yet. The Network Information API
 * (WICG netinfo) gives `type` on Android and ChromeOS, only `effectiveType` on desktop Chromium, and
 * nothing in Safari or Firefox.
 */
export interface ConnectionLike {
  type?: string;
  effectiveType?: string;
  saveData?: boolean;
}

export interface PrecachePolicy {
  /** The viewer allowed downloads on cellular (or an unknown network) too. */
  allowCellular: boolean;
}

const unmetered = new Set(['wifi', 'ethernet']);
const metered = new Set(['cellular', 'bluetooth', 'wimax']);

/**
 * Wi-Fi or ethernet: yes. Data Saver: never. A known metered link, a link whose type is unknown
 * but fast (`effectiveType` 4g), or a browser without the API: only with "also on cellular", since
 * an unknown network may be a metered one. Offline or slow (2g/3g): no.
 */
export function shouldPrecache(
  connection: ConnectionLike | null | undefined,
  policy: PrecachePolicy,
): boolean {
  if (connection?.saveData === true) return false;
  const type = connection?.type;
  if (type === 'none') return false;
  if (type !== undefined && unmetered.has(type)) return true;
  const effective = connection?.effectiveType;
  if (effective !== undefined && effective !== '4g') return false;
  if (type !== undefined && metered.has(type)) return policy.allowCellular;
  return policy.allowCellular;
}
