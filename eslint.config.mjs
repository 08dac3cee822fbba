// Lint: typescript-eslint's strict, type-checked rules (the compiler already runs with `strict`),
// formatting left to prettier (eslint-config-prettier turns off the rules it owns), a line limit.
import js from "@eslint/js";
import stylistic from "@stylistic/eslint-plugin";
import prettier from "eslint-config-prettier";
import tseslint from "typescript-eslint";

export default tseslint.config(
  { ignores: ["dist/", "cdktf.out/", ".gen/", ".cache/", ".bench/", "node_modules/", "helm/", "**/*.mjs", "**/*.js"] },
  js.configs.recommended,
  ...tseslint.configs.strictTypeChecked,
  {
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: {
      // Numbers and booleans print as expected in messages and names.
      "@typescript-eslint/restrict-template-expressions": ["error", { allowNumber: true, allowBoolean: true }],
      // Without noUncheckedIndexedAccess (off in tsconfig), this rule takes every indexed read and
      // regex group as present and flags the checks that guard them.
      "@typescript-eslint/no-unnecessary-condition": "off",
      // `{ omitted: _omitted, ...rest }` is how an object loses a key.
      "@typescript-eslint/no-unused-vars": ["error", { ignoreRestSiblings: true, varsIgnorePattern: "^_", argsIgnorePattern: "^_" }],
    },
  },
  {
    files: ["__tests__/**/*.ts"],
    rules: {
      // jest's asymmetric matchers (expect.stringMatching, objectContaining) are typed `any`.
      "@typescript-eslint/no-unsafe-assignment": "off",
      "@typescript-eslint/no-unsafe-return": "off",
      // A test's `find(...)!` fails the test when nothing is found, which is the point.
      "@typescript-eslint/no-non-null-assertion": "off",
    },
  },
  prettier,
  {
    // Prettier wraps code at 160; a string it cannot break (a one-line error message, a policy
    // pattern) may run longer, so strings, templates and regexes are exempt.
    plugins: { "@stylistic": stylistic },
    rules: {
      "@stylistic/max-len": ["error", { code: 160, ignoreStrings: true, ignoreTemplateLiterals: true, ignoreRegExpLiterals: true, ignoreUrls: true }],
    },
  },
);
