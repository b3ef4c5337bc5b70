import js from '@eslint/js';
import { defineConfig, globalIgnores } from 'eslint/config';
import svelte from 'eslint-plugin-svelte';
import globals from 'globals';
import tseslint from 'typescript-eslint';

/**
 * The dependency direction of docs/architecture.md, given teeth (as SvelteKit's lint rule keeps its
 * runtime out of its public exports). `no-restricted-imports` sees static imports and export-from;
 * scripts/check-deps.mjs applies the same rules to dynamic `import()` and resolves every relative
 * path exactly, so the two together leave no way around them.
 */
const services = ['api', 'media', 'realtime', 'feed-ranker'];
const sourceFiles = '*.{ts,mts,js,mjs,svelte}';
/** Deep enough for any folder we have; a file deeper than this is still covered by check-deps. */
const maxDepth = 10;

const packageRules = {
  web: {
    regex: '^@binge/(?!core/protocol/)',
    message:
      'web imports only @binge/core/protocol/* from our packages (browser-safe wire types); never a service or a node-only part of core.',
  },
  mobileWebview: {
    regex: '^@binge/(?!core/protocol/|web(/|$))',
    message: 'mobile-webview imports only @binge/web and @binge/core/protocol/*.',
  },
  core: {
    regex: '^@binge/(?!core(/|$))',
    message: 'core is the bottom layer: it imports no service and no client.',
  },
  service: {
    regex: '^@binge/(?!core(/|$))',
    message:
      "A service imports only @binge/core; services meet in PostgreSQL, Redis and HTTP, never through each other's code.",
  },
  protocol: {
    regex: '^(@binge/|node:)',
    message:
      'core/src/protocol is browser-safe: no Node built-ins and no other part of core (web imports it).',
  },
};

/**
 * One config object per directory depth, because a relative specifier leaves `base` exactly when
 * it climbs more `..` than the file sits below `base`; a regex on the specifier alone cannot tell
 * `../media/x.ts` inside api/src (a folder of the api) from a reach into the media workspace.
 */
function boundary(base, patterns, message, ignores = []) {
  const baseDepth = base.split('/').length;
  const configs = [];
  for (let extra = 0; extra < maxDepth; extra += 1) {
    const climbs = extra + 1;
    configs.push({
      files: [`${base}/${'*/'.repeat(extra)}${sourceFiles}`],
      ignores,
      rules: {
        'no-restricted-imports': [
          'error',
          {
            patterns: [
              ...patterns,
              {
                regex: `^(\\./)?(\\.\\./){${climbs},}`,
                message: `${message} (this path climbs out of ${base}/ from depth ${baseDepth + extra}).`,
              },
            ],
          },
        ],
      },
    });
  }
  return configs;
}

export default defineConfig([
  globalIgnores([
    '**/node_modules/',
    'data/',
    'web/build/',
    'mobile-webview/build/',
    'web/.svelte-kit/',
    'core/migrations/meta/',
    'coverage/',
  ]),

  js.configs.recommended,
  tseslint.configs.recommended,
  svelte.configs.recommended,

  {
    languageOptions: {
      ecmaVersion: 2023,
      sourceType: 'module',
      globals: { ...globals.node },
    },
    linterOptions: { reportUnusedDisableDirectives: 'error' },
    rules: {
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrorsIgnorePattern: '^_' },
      ],
      // verbatimModuleSyntax keeps every import that is not marked `type`; tsx then asks the
      // runtime module for an export that only exists as a type, and the process dies on start.
      '@typescript-eslint/consistent-type-imports': [
        'error',
        { prefer: 'type-imports', disallowTypeAnnotations: false },
      ],
      eqeqeq: ['error', 'smart'],
      'no-console': 'off',
    },
  },

  {
    files: ['web/**/*.svelte', 'web/**/*.svelte.ts', 'web/**/*.svelte.js'],
    languageOptions: {
      parserOptions: {
        parser: tseslint.parser,
        extraFileExtensions: ['.svelte'],
      },
    },
  },
  {
    files: ['web/**/*.svelte'],
    rules: {
      // The client is served from the origin root (no kit.paths.base), so a plain href is the
      // resolved one; wrapping every link in resolve() would guard against a base path we lack.
      'svelte/no-navigation-without-resolve': 'off',
    },
  },
  {
    files: ['web/src/**', 'mobile-webview/src/**'],
    languageOptions: { globals: { ...globals.browser, ...globals.node } },
  },

  // Dependency direction. Later objects override earlier ones for the same rule, so the nested
  // protocol folder comes after core, with core's rules repeated inside its own.
  ...boundary(
    'web',
    [packageRules.web],
    'web must not reach into another workspace by relative path',
  ),
  ...boundary(
    'mobile-webview',
    [packageRules.mobileWebview],
    'mobile-webview must not reach into another workspace by relative path',
  ),
  ...boundary(
    'core',
    [packageRules.core],
    'core must not reach into another workspace by relative path',
  ),
  ...boundary(
    'core/src/protocol',
    [packageRules.protocol],
    'core/src/protocol must stay self-contained (browser-safe)',
    // Tests beside the protocol run under node:test only; core's rules still apply to them.
    ['core/src/protocol/**/*.test.*'],
  ),
  ...services.flatMap((service) =>
    boundary(
      service,
      [packageRules.service],
      `${service} must not reach into another workspace by relative path; import @binge/core/* instead`,
    ),
  ),
]);
