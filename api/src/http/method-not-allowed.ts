/**
 * Knows every route's pattern so that the not-found handler can tell "no such path" (404) from
 * "no such method on this path" (405 with Allow, RFC 9110 §15.5.6), which Fastify's router does
 * not distinguish.
 */
export interface RouteTable {
  add(methods: string | string[], url: string): void;
  /** Methods that have a route matching `path`, or an empty list. */
  allowed(path: string): string[];
}

function patternOf(url: string): RegExp {
  let source = '';
  for (const segment of url.split('/')) {
    if (source !== '' || segment !== '') source += '/';
    if (segment === '*') source += '.*';
    else if (segment.startsWith(':')) source += '[^/]+';
    else source += segment.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  }
  return new RegExp(`^${source}$`);
}

export function createRouteTable(): RouteTable {
  const routes: { pattern: RegExp; methods: string[] }[] = [];
  return {
    add(methods, url) {
      routes.push({ pattern: patternOf(url), methods: ([] as string[]).concat(methods) });
    },
    allowed(path) {
      const methods = new Set<string>();
      for (const route of routes)
        if (route.pattern.test(path)) for (const method of route.methods) methods.add(method);
      return [...methods].sort();
    },
  };
}
