// Lint rules that catch what types do not: unawaited promises, promises passed where callbacks
// are expected, non-exhaustive switches, and imports that bypass a module's index.ts.
import tseslint from 'typescript-eslint';

/** Modules with a public surface (index.ts). */
const BOUNDED_MODULES = ['calendar', 'documents', 'notifications', 'reports', 'security', 'service-index'];

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
    },
  },
  // Module boundaries: code outside a module that has an index.ts imports it only through that
  // file (its public surface), whether from another module (`../m/x.ts`) or from elsewhere
  // (`…/modules/m/x.ts`). Tests and benchmarks may reach inside; so may the schema, which gathers
  // the modules' tables.
  {
    files: ['src/**/*.ts'],
    ignores: ['src/db/schema.ts', '**/*.test.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: BOUNDED_MODULES.map((m) => ({
            group: [`**/modules/${m}/*`, `../${m}/*`, `!**/modules/${m}/index.ts`, `!../${m}/index.ts`],
            message: `Import the ${m} module through its index.ts.`,
          })),
        },
      ],
    },
  },
);
