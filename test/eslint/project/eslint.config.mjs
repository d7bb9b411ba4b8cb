// The eslint.config.mjs the README shows, verbatim: a user project linted with
// typescript-eslint's parser, the project service, and wakerscope's recommended rules.
import { defineConfig } from 'eslint/config';
import tseslint from 'typescript-eslint';
import wakerscope from 'wakerscope/eslint';

export default defineConfig(
  {
    files: ['**/*.ts'],
    languageOptions: {
      parser: tseslint.parser,
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
  },
  wakerscope.configs.recommended,
);
