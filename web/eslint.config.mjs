import { dirname } from "node:path";
import { fileURLToPath } from "node:url";
import { FlatCompat } from "@eslint/eslintrc";
import prettier from "eslint-config-prettier";

const compat = new FlatCompat({ baseDirectory: dirname(fileURLToPath(import.meta.url)) });

const config = [
  {
    ignores: [
      ".next/",
      "node_modules/",
      "playwright-report/",
      "test-results/",
      "next-env.d.ts",
      "public/pdfjs/", // pdf.js's own files, copied by scripts/pdfjs-assets.mjs
    ],
  },
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
    // Screens get data from the hooks in src/hooks/<domain>/ (see docs/style.md, "Web
    // data hook"); only hooks call the API client and its upload, stream and session siblings.
    files: ["src/components/**", "src/app/**"],
    // A test may reach the session itself, to start or end one.
    ignores: ["**/*.test.ts", "**/*.test.tsx"],
    rules: {
      "no-restricted-imports": [
        "error",
        {
          patterns: [
            {
              // `**/` matches the `@/` alias and relative paths alike.
              group: [
                "**/lib/api/client",
                "**/lib/api/upload",
                "**/lib/api/askStream",
                "**/lib/api/notificationStream",
                "**/lib/api/session",
              ],
              message:
                "Components and pages call the hooks in src/hooks/<domain>/, not the API client.",
            },
          ],
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
