import { test as base, expect, type Page } from "@playwright/test";
import { mkdirSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

const HERE = path.dirname(fileURLToPath(import.meta.url));

export const SCREENSHOTS = path.resolve(HERE, "..", "..", "docs", "screenshots");

export const test = base.extend({
  baseURL: async ({}, use) => {
    const url = process.env.SIFT_E2E_BASE_URL;
    if (!url) throw new Error("SIFT_E2E_BASE_URL is not set: globalSetup did not start the stack");
    await use(url);
  },
});

export { expect };

export function uniqueEmail(prefix: string): string {
  return `${prefix}-${Date.now()}-${Math.floor(Math.random() * 1e6)}@example.com`;
}

export const PASSWORD = "Lantern-orchard-93-quietly";

const VIEWPORTS = { desktop: { width: 1280, height: 800 }, mobile: { width: 375, height: 740 } };

/** Save the page in light and dark, desktop and 375 px wide, as docs/screenshots/<name>-*.png. */
export async function screenshotAll(page: Page, name: string): Promise<void> {
  mkdirSync(SCREENSHOTS, { recursive: true });
  const original = page.viewportSize();
  for (const scheme of ["light", "dark"] as const) {
    await page.emulateMedia({ colorScheme: scheme });
    for (const [label, size] of Object.entries(VIEWPORTS)) {
      await page.setViewportSize(size);
      await expect(page.locator("html")).toHaveClass(scheme === "dark" ? /dark/ : /^(?!.*dark)/);
      await page.screenshot({
        path: path.join(SCREENSHOTS, `${name}-${scheme}-${label}.png`),
        fullPage: true,
      });
    }
  }
  await page.emulateMedia({ colorScheme: "light" });
  if (original) await page.setViewportSize(original);
}

/** Drop files on the upload zone the way a browser does: a `drop` event with a DataTransfer. */
export async function dropFiles(
  page: Page,
  files: { name: string; type: string; text: string }[],
): Promise<void> {
  const dataTransfer = await page.evaluateHandle((specs) => {
    const transfer = new DataTransfer();
    for (const spec of specs)
      transfer.items.add(new File([spec.text], spec.name, { type: spec.type }));
    return transfer;
  }, files);
  await page.getByTestId("dropzone").dispatchEvent("drop", { dataTransfer });
}
