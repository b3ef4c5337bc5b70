#!/usr/bin/env node
/**
 * Enforces the dependency direction of docs/architecture.md over every source file:
 *
 * - web imports only `@binge/core/protocol/*` from our packages, and nothing outside web/ by path;
 * - mobile-webview imports only `@binge/web` and `@binge/core/protocol/*`;
 * - a service (api, media, realtime, feed-ranker) imports only `@binge/core/*`, and nothing outside
 *   its own folder by relative path;
 * - core imports no service or client; core/src/protocol (browser-safe) imports neither Node
 *   built-ins nor anything outside core/src/protocol, except in its own tests;
 * - tests/, bench/, bin/ and scripts/ may import anything.
 *
 * ESLint's no-restricted-imports states the same rules (eslint.config.js) but cannot see dynamic
 * `import()` calls; this check reads static imports, export-from, `import()` and `require()`, and
 * resolves relative paths against the file instead of guessing from the specifier's text.
 *
 * Usage: node scripts/check-deps.mjs [root]   (exit 1 and a list of violations when any)
 */
import { readdirSync, readFileSync } from 'node:fs';
import { builtinModules } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';

const sourceExtensions = new Set(['.ts', '.mts', '.cts', '.js', '.mjs', '.cjs', '.svelte']);
const skippedNames = new Set(['node_modules', '.git', '.svelte-kit', 'coverage', 'dist']);
/** Root-relative folders that hold generated or runtime files, not sources. */
const skippedPaths = new Set(['data', 'web/build', 'mobile-webview/build', 'tmp']);
const services = ['api', 'media', 'realtime', 'feed-ranker'];
const nodeBuiltins = new Set(builtinModules.filter((name) => !name.startsWith('_')));

/**
 * @typedef {{ name: string, base: string, allowPackage: (specifier: string) => boolean,
 *   packageRule: string, forbidBuiltins: boolean }} Zone
 * @typedef {{ file: string, line: number, specifier: string, rule: string, message: string }} Violation
 */

/** @returns {Zone | null} the rules for a root-relative, '/'-separated file path; null = free. */
export function zoneOf(relativeFile) {
  const [top] = relativeFile.split('/');
  const isTest = /\.test\.[cm]?[jt]s$/.test(relativeFile);
  if (relativeFile.startsWith('core/src/protocol/') && !isTest) {
    return {
      name: 'protocol',
      base: 'core/src/protocol',
      allowPackage: () => false,
      packageRule: 'core/src/protocol is browser-safe: it imports no other part of core',
      forbidBuiltins: true,
    };
  }
  if (top === 'core') {
    return {
      name: 'core',
      base: 'core',
      allowPackage: (s) => /^@binge\/core(\/|$)/.test(s),
      packageRule: 'core is the bottom layer: it imports no service and no client',
      forbidBuiltins: false,
    };
  }
  if (top === 'web') {
    return {
      name: 'web',
      base: 'web',
      allowPackage: (s) => s.startsWith('@binge/core/protocol/'),
      packageRule: 'web imports only @binge/core/protocol/* from our packages',
      forbidBuiltins: false,
    };
  }
  if (top === 'mobile-webview') {
    return {
      name: 'mobile-webview',
      base: 'mobile-webview',
      allowPackage: (s) => s.startsWith('@binge/core/protocol/') || /^@binge\/web(\/|$)/.test(s),
      packageRule: 'mobile-webview imports only @binge/web and @binge/core/protocol/*',
      forbidBuiltins: false,
    };
  }
  if (services.includes(top)) {
    return {
      name: top,
      base: top,
      allowPackage: (s) => /^@binge\/core(\/|$)/.test(s),
      packageRule: `a service imports only @binge/core/*, never another service or client`,
      forbidBuiltins: false,
    };
  }
  return null;
}

/** Every import specifier in a TS/JS source, with its 1-based line. */
function specifiersInScript(source, lineOffset) {
  const info = ts.preProcessFile(source, true, true);
  const lineStarts = ts.computeLineStarts(source);
  return info.importedFiles.map((ref) => ({
    specifier: ref.fileName,
    line: ts.computeLineAndCharacterOfPosition(lineStarts, ref.pos).line + 1 + lineOffset,
  }));
}

/** Import specifiers of a file; for .svelte, of each `<script>` block. */
export function importSpecifiers(source, extension) {
  if (extension !== '.svelte') return specifiersInScript(source, 0);
  const found = [];
  for (const match of source.matchAll(/<script\b[^>]*>([\s\S]*?)<\/script>/g)) {
    const bodyStart = match.index + match[0].indexOf('>') + 1;
    const lineOffset = source.slice(0, bodyStart).split('\n').length - 1;
    found.push(...specifiersInScript(match[1], lineOffset));
  }
  return found;
}

function* sourceFiles(root, dir = root) {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    const relative = path.relative(root, full).split(path.sep).join('/');
    if (entry.isDirectory()) {
      if (skippedNames.has(entry.name) || skippedPaths.has(relative)) continue;
      yield* sourceFiles(root, full);
    } else if (entry.isFile() && sourceExtensions.has(path.extname(entry.name))) {
      yield relative;
    }
  }
}

function isInside(child, parent) {
  const relative = path.relative(parent, child);
  return relative === '' || (!relative.startsWith('..') && !path.isAbsolute(relative));
}

/** @returns {Violation | null} */
export function judge(root, relativeFile, specifier) {
  const zone = zoneOf(relativeFile);
  if (zone === null) return null;
  const at = { file: relativeFile, specifier };
  if (specifier.startsWith('.') || specifier.startsWith('/')) {
    const target = path.resolve(root, path.dirname(relativeFile), specifier);
    if (!isInside(target, path.resolve(root, zone.base))) {
      const landed = path.relative(root, target).split(path.sep).join('/') || '.';
      return {
        ...at,
        rule: 'relative-escape',
        message: `reaches out of ${zone.base}/ by relative path (to ${landed}); import the package's public export instead`,
      };
    }
    return null;
  }
  if (specifier.startsWith('@binge/')) {
    if (zone.allowPackage(specifier)) return null;
    return { ...at, rule: 'package', message: zone.packageRule };
  }
  if (zone.forbidBuiltins && (specifier.startsWith('node:') || nodeBuiltins.has(specifier))) {
    return {
      ...at,
      rule: 'node-builtin',
      message: 'core/src/protocol runs in the browser too: no Node built-ins',
    };
  }
  return null;
}

/** @returns {{ files: number, violations: Violation[] }} */
export function checkDependencies(root) {
  const violations = [];
  let files = 0;
  for (const relativeFile of sourceFiles(root)) {
    files += 1;
    if (zoneOf(relativeFile) === null) continue;
    const source = readFileSync(path.join(root, relativeFile), 'utf8');
    for (const { specifier, line } of importSpecifiers(source, path.extname(relativeFile))) {
      const violation = judge(root, relativeFile, specifier);
      if (violation) violations.push({ ...violation, line });
    }
  }
  return { files, violations };
}

export function formatViolations(violations) {
  return violations
    .map((v) => `  ${v.file}:${v.line}  '${v.specifier}'  [${v.rule}] ${v.message}`)
    .join('\n');
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const root = path.resolve(
    process.argv[2] ?? path.join(path.dirname(fileURLToPath(import.meta.url)), '..'),
  );
  const { files, violations } = checkDependencies(root);
  if (violations.length > 0) {
    console.error(
      `check-deps: ${violations.length} dependency-direction violation(s) (see docs/architecture.md):`,
    );
    console.error(formatViolations(violations));
    process.exitCode = 1;
  } else {
    console.log(`check-deps: ${files} source files, dependency direction respected`);
  }
}
