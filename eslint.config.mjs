import js from '@eslint/js';
import tseslint from 'typescript-eslint';

/** The few globals our plain-JS files use, listed here rather than pulling in a globals package. */
const nodeGlobals = Object.fromEntries(
  [
    'require',
    'module',
    'process',
    'console',
    '__dirname',
    'Buffer',
    'setTimeout',
    'clearTimeout',
    'setImmediate',
  ].map((name) => [name, 'readonly']),
);
const browserGlobals = Object.fromEntries(
  [
    'document',
    'window',
    'location',
    'sessionStorage',
    'fetch',
    'Headers',
    'TextDecoderStream',
    'setTimeout',
    'clearTimeout',
    'setInterval',
  ].map((name) => [name, 'readonly']),
);

export default tseslint.config(
  { ignores: ['dist/', 'node_modules/', 'coverage/', 'bench/results/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_' }],
      'no-restricted-syntax': [
        'error',
        {
          selector:
            'CallExpression[callee.property.name=/^(only|skip)$/][callee.object.name=/^(it|describe|test)$/]',
          message: 'No focused or skipped tests.',
        },
        {
          selector:
            "MethodDefinition[key.name=/^on(ModuleInit|ApplicationBootstrap)$/] CallExpression[callee.property.name='subscribe']",
          message:
            'Subscribe to the event store in the constructor: the apps sharing a core instance re-run its lifecycle hooks (docs/adr/0008).',
        },
      ],
    },
  },
  {
    // Plain JavaScript run by node as it is (no build step): CommonJS.
    files: ['**/*.js'],
    ignores: ['libs/barista/src/*/public/**'],
    languageOptions: { sourceType: 'commonjs', globals: nodeGlobals },
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
  {
    // The barista pages' scripts (board, station, their shared session) run in the browser.
    files: ['libs/barista/src/*/public/*.js'],
    languageOptions: { sourceType: 'script', globals: browserGlobals },
  },
);
