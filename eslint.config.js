// ESLint (flat config): typescript-eslint's recommended rules on every TypeScript/JavaScript file
// of the repository, without type information (fast: `npm run lint` in a few seconds; `tsc` does
// the type checking). A few rules are relaxed where the codebase's style is deliberate.
import js from "@eslint/js";
import globals from "globals";
import tseslint from "typescript-eslint";

export default tseslint.config(
  {
    ignores: ["**/node_modules/", "**/generated/", "**/dist/", ".local/", "test-artifacts/", "coverage/", "supergraph.graphql"],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: {
      ecmaVersion: 2023,
      sourceType: "module",
      globals: { ...globals.node },
    },
    rules: {
      // Unused arguments keep a signature readable (resolvers, Express error handlers); `_` marks intent.
      "@typescript-eslint/no-unused-vars": ["error", { args: "none", varsIgnorePattern: "^_", caughtErrors: "none", ignoreRestSiblings: true }],
      // `any` is visible in review; tests and GraphQL results use it on purpose.
      "@typescript-eslint/no-explicit-any": "off",
      // `void promise` marks fire-and-forget; `a && b()` as a statement is used for short guards.
      "@typescript-eslint/no-unused-expressions": ["error", { allowShortCircuit: true, allowTernary: true }],
      // Non-null assertions follow a check the compiler cannot see (regex groups, maps).
      "@typescript-eslint/no-non-null-assertion": "off",
      "no-empty": ["error", { allowEmptyCatch: true }],
      // A `let` assigned once, later, but read by closures made before (the gateway's WebSocket server).
      "prefer-const": ["error", { ignoreReadBeforeAssign: true }],
      // Input validation matches control characters on purpose (to refuse them).
      "no-control-regex": "off",
    },
  },
  {
    files: ["web/**"],
    languageOptions: { globals: { ...globals.browser } },
  },
);
