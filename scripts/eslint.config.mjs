// Lint rules that keep the processes apart (see docs/architecture.md):
// - the renderer imports nothing from Node, Electron or main/; it sees only preload/contract.ts;
// - the core in main/ never imports electron; only main/hosts/electron/ (the shell) may;
// - raw ipcMain / ipcRenderer only in the two wrapper files that check senders and channels.
// Run from the repository root: `eslint -c scripts/eslint.config.mjs`.
import { builtinModules } from 'node:module';
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

const nodeBuiltins = builtinModules.flatMap((name) => [name, `${name}/*`]);

const noElectron = {
  group: ['electron', 'electron/*', 'electron-updater'],
  message: 'Only main/hosts/electron/ may use Electron: the core runs under plain Node and is tested there.',
};

export default tseslint.config(
  { ignores: ['dist/**', 'release/**', 'node_modules/**', 'test-results/**', 'playwright-report/**', 'test/fixtures/**/build/**'] },
  js.configs.recommended,
  {
    files: ['**/*.ts', '**/*.tsx'],
    extends: [tseslint.configs.recommendedTypeChecked],
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: process.cwd() },
    },
    rules: {
      curly: ['error', 'all'],
      eqeqeq: ['error', 'always'],
      'no-restricted-syntax': [
        'error',
        { selector: 'ExportDefaultDeclaration', message: 'Use named exports: names stay stable across refactors.' },
      ],
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'inline-type-imports' }],
      '@typescript-eslint/explicit-member-accessibility': ['error', { overrides: { constructors: 'no-public' } }],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_' }],
    },
  },
  {
    files: ['main/**/*.ts'],
    ignores: ['main/hosts/electron/**'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            noElectron,
            { group: ['**/renderer/**'], message: 'main/ never imports the renderer.' },
          ],
        },
      ],
    },
  },
  {
    // prescriptions/ is a pure library: no pipes, windows, cards or sessions, so it is fast to test and
    // cannot be reached by anything but its inputs.
    files: ['main/prescriptions/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            noElectron,
            {
              regex: '^\\.\\./(\\.\\./)*(app|errors|version|pipe|ui|hosts|cli|policy|platform|run|session|signing|requests|audit|sandbox)(/|\\.js$)',
              message: 'prescriptions/ imports nothing else of main/: it is a pure library.',
            },
          ],
        },
      ],
    },
  },
  {
    files: ['main/hosts/electron/**/*.ts'],
    ignores: ['main/hosts/electron/ipc-main.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [{ name: 'electron', importNames: ['ipcMain'], message: 'Register handlers through ipc-main.ts, which checks every sender.' }],
          patterns: [{ group: ['**/renderer/**'], message: 'main/ never imports the renderer.' }],
        },
      ],
    },
  },
  {
    files: ['renderer/**/*.ts', 'renderer/**/*.tsx'],
    ignores: ['renderer/vite.config.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: nodeBuiltins.map((name) => ({ name, message: 'The renderer has no Node: ask the core through window.companion.' })),
          patterns: [
            { group: ['node:*'], message: 'The renderer has no Node: ask the core through window.companion.' },
            { ...noElectron, message: 'The renderer never touches Electron: it uses window.companion.' },
            { group: ['**/main/**', '**/main'], message: 'The renderer never imports main/: it reaches the core only through the contract.' },
            {
              group: ['**/preload/*', '!**/preload/contract'],
              message: 'From preload/ the renderer may use only the contract types.',
            },
          ],
        },
      ],
    },
  },
  {
    files: ['preload/**/*.ts'],
    ignores: ['preload/electron-preload.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            { ...noElectron, message: 'Only the Electron preload may import electron.' },
            { group: ['node:*', ...nodeBuiltins], message: 'Page-side code has no Node.' },
            { group: ['**/main/**', '**/renderer/**'], message: 'preload/ depends on nothing but itself.' },
          ],
        },
      ],
    },
  },
  {
    files: ['preload/contract.ts'],
    rules: {
      'no-restricted-syntax': [
        'error',
        { selector: 'ImportDeclaration', message: 'The contract has no imports, so every side can include it as it is.' },
      ],
    },
  },
  {
    files: ['test/**/*.ts', 'test/**/*.tsx'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            { ...noElectron, message: 'Tests never load Electron: the core is tested under Node; the shell by the Electron e2e tier.' },
            { group: ['**/main/hosts/electron/**'], message: 'The Electron shell is tested only by the Electron e2e tier.' },
          ],
        },
      ],
      '@typescript-eslint/no-non-null-assertion': 'off',
    },
  },
  {
    // Playwright reads a test's fixtures from its first parameter's pattern; `{}` means "none".
    files: ['test/e2e/**/*.ts', 'test/e2e-electron/**/*.ts'],
    rules: { 'no-empty-pattern': 'off' },
  },
  {
    // Tools load their configuration through a default export.
    files: ['**/vite.config.ts', '**/vitest.config.ts', '**/playwright.config.ts'],
    rules: { 'no-restricted-syntax': 'off' },
  },
  {
    files: ['**/*.mjs'],
    languageOptions: {
      globals: { process: 'readonly', console: 'readonly', URL: 'readonly', Buffer: 'readonly', setTimeout: 'readonly', clearTimeout: 'readonly' },
    },
  },
);
