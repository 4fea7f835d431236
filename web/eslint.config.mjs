import { dirname } from "node:path";
import { fileURLToPath } from "node:url";
import { FlatCompat } from "@eslint/eslintrc";
import prettier from "eslint-config-prettier";

const compat = new FlatCompat({ baseDirectory: dirname(fileURLToPath(import.meta.url)) });

const config = [
  { ignores: [".next/", "node_modules/", "playwright-report/", "test-results/", "next-env.d.ts"] },
  ...compat.extends("next/core-web-vitals", "next/typescript"),
  prettier,
  {
    rules: {
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_" }],
      "no-restricted-globals": [
        "error",
        { name: "localStorage", message: "Tokens live in memory only; see src/stores/auth.ts." },
      ],
      "no-restricted-properties": [
        "error",
        {
          object: "window",
          property: "localStorage",
          message: "Tokens live in memory only; see src/stores/auth.ts.",
        },
      ],
    },
  },
  {
    files: ["e2e/**"],
    rules: { "no-restricted-properties": "off" },
  },
  {
    // Playwright fixtures call `use`, which is not React's hook.
    files: ["e2e/**"],
    rules: { "react-hooks/rules-of-hooks": "off" },
  },
  {
    // Preferences (theme, analytics consent) are the only things kept in localStorage.
    files: [
      "src/components/Shell/theme.ts",
      "src/lib/consent.ts",
      "src/components/Analytics/Analytics.test.tsx",
    ],
    rules: { "no-restricted-globals": "off", "no-restricted-properties": "off" },
  },
];

export default config;
