// ESLint flat config: recommended JS + typescript-eslint rules for the whole tree; run by `npm run lint`.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

/** Node globals for plain .js files (the `globals` package is not a dependency, so the few used are listed here). */
const nodeGlobals = {
  require: 'readonly',
  module: 'writable',
  exports: 'writable',
  process: 'readonly',
  console: 'readonly',
  __dirname: 'readonly',
  __filename: 'readonly',
  Buffer: 'readonly',
  setTimeout: 'readonly',
  clearTimeout: 'readonly',
};

export default tseslint.config(
  { ignores: ['dist/', 'node_modules/', 'mount/native/', 'coverage/'] },
  js.configs.recommended,
  {
    files: ['**/*.js', '**/*.cjs'],
    languageOptions: { sourceType: 'commonjs', globals: nodeGlobals },
  },
  {
    files: ['**/*.ts'],
    extends: [tseslint.configs.recommended],
    rules: {
      // A leading underscore marks a parameter that an interface or callback signature requires but this body does not use.
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_' }],
    },
  },
  {
    // These load the native FUSE addon from a path known only at run time, which only require() can do synchronously.
    files: ['mount/fuse-binding.ts', 'test/unit/fuse-binding.test.ts'],
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
);
