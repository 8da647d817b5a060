// ESLint on everything TypeScript in the repository, with typescript-eslint's type-aware
// rules: promises that nobody awaits or handles are the bugs a server cannot afford.
// Formatting is Prettier's (prettier --check in ./berth test), not ESLint's.
import js from "@eslint/js";
import tseslint from "typescript-eslint";

export default tseslint.config(
  { ignores: ["dist/", "node_modules/", "**/*.cjs", "eslint.config.js"] },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
  },
);
