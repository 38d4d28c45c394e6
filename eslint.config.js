// Lint rules that catch what types do not: unawaited promises, promises passed where callbacks
// are expected, non-exhaustive switches, and imports that bypass a module's index.ts.
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'data/**', '.tmp/**', 'coverage/**'] },
  {
    files: ['**/*.ts'],
    extends: [tseslint.configs.base],
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': ['error', { checksVoidReturn: { arguments: false } }],
      '@typescript-eslint/switch-exhaustiveness-check': ['error', { considerDefaultExhaustiveForUnions: true }],
      '@typescript-eslint/await-thenable': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-restricted-imports': [
        'error',
        { patterns: [{ group: ['**/modules/calendar/*', '!**/modules/calendar/index.ts'], message: 'Import the calendar module through its index.ts.' }] },
      ],
    },
  },
  {
    files: ['src/modules/calendar/**/*.ts'],
    rules: { 'no-restricted-imports': 'off' },
  },
);
