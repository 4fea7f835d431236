import { test as base, expect, type APIRequestContext, type Page } from "@playwright/test";
import { createHmac } from "node:crypto";
import { mkdirSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

const HERE = path.dirname(fileURLToPath(import.meta.url));
const REPO = path.resolve(HERE, "..", "..");

export const SCREENSHOTS = path.join(REPO, "docs", "screenshots");
/** Small real files (see e2e/files/): a one-page PDF and a DOCX, each with its own phrases. */
export const FILES = path.join(HERE, "files");

export const test = base.extend<{ cspViolations: string[] }>({
  baseURL: async ({}, use) => {
    const url = process.env.SIFT_E2E_BASE_URL;
    if (!url) throw new Error("SIFT_E2E_BASE_URL is not set: globalSetup did not start the stack");
    await use(url);
  },
  // Every test also proves the app works under its Content-Security-Policy.
  cspViolations: [
    async ({ page }, use) => {
      const violations: string[] = [];
      page.on("console", (message) => {
        if (message.type() === "error" && /Content Security Policy/i.test(message.text()))
          violations.push(message.text());
      });
      await use(violations);
      expect(violations, "CSP violations").toEqual([]);
    },
    { auto: true },
  ],
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

export interface Account {
  name: string;
  email: string;
}

/**
 * A fresh account, signed in in this page's browser context: the sign-up call sets the
 * refresh cookie, and the app trades it for an access token when it loads.
 */
export async function signUpAndOpen(
  page: Page,
  name: string,
  path = "/collections",
): Promise<Account> {
  const email = uniqueEmail(name.split(" ")[0]!.toLowerCase());
  const response = await page.request.post("/api/auth/signup", {
    data: { name, email, password: PASSWORD },
  });
  expect(response.status(), await response.text()).toBe(201);
  await page.goto(path);
  await expect(page.getByRole("button", { name: "Account menu" })).toBeVisible();
  return { name, email };
}

/** The current RFC 6238 code (SHA-1, 6 digits, 30 s) of a base32 secret. */
export function totp(secret: string, now = Date.now()): string {
  const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
  let bits = "";
  for (const char of secret.replace(/=+$/, "").toUpperCase())
    bits += alphabet.indexOf(char).toString(2).padStart(5, "0");
  const key = Buffer.from(bits.match(/.{8}/g)!.map((byte) => parseInt(byte, 2)));
  const counter = Buffer.alloc(8);
  counter.writeBigUInt64BE(BigInt(Math.floor(now / 30_000)));
  const digest = createHmac("sha1", key).update(counter).digest();
  const offset = digest[digest.length - 1]! & 0xf;
  const code = (digest.readUInt32BE(offset) & 0x7fffffff) % 1_000_000;
  return String(code).padStart(6, "0");
}

/** Create a collection through its dialog; `restricted` is "Only people I add". */
export async function createCollection(
  page: Page,
  name: string,
  { restricted = false }: { restricted?: boolean } = {},
): Promise<void> {
  await page.getByRole("button", { name: "New collection" }).click();
  const dialog = page.getByRole("dialog", { name: "New collection" });
  await dialog.getByLabel("Name").fill(name);
  if (restricted) await dialog.getByLabel("Only people I add").check();
  await dialog.getByRole("button", { name: "Create collection" }).click();
  await expect(dialog).toBeHidden();
}

/** Wait until the row of `filename` says "indexed": the real ingest worker is slow on a busy machine. */
export async function expectIndexed(page: Page, filename: string, timeout = 90_000): Promise<void> {
  const row = page.getByTestId("document-row").filter({ hasText: filename });
  await expect(row.getByTestId("document-status")).toHaveAttribute("data-status", "indexed", {
    timeout,
  });
}

interface CapturedMail {
  to: string[];
  subject: string;
  links: string[];
}

/**
 * The path of the newest link to `linkPath` mailed to `email`, read the way a developer
 * reads it: from the stack's mail capture at `/api/dev/mail`. The mail went the whole real
 * way (identity's event, the notifications consumer, the delivery worker, SMTP).
 */
export async function mailedLinkPath(
  request: APIRequestContext,
  email: string,
  linkPath: string,
  timeout = 60_000,
): Promise<string> {
  let found: string | undefined;
  await expect
    .poll(
      async () => {
        const response = await request.get("/api/dev/mail");
        expect(response.status()).toBe(200);
        const { items } = (await response.json()) as { items: CapturedMail[] };
        const mail = items.find(
          (item) =>
            item.to.includes(email) && item.links.some((link) => link.includes(`${linkPath}?`)),
        );
        const link = mail?.links.find((candidate) => candidate.includes(`${linkPath}?`));
        found = link === undefined ? undefined : new URL(link).pathname + new URL(link).search;
        return found;
      },
      { timeout, message: `no mail to ${email} with a ${linkPath} link` },
    )
    .toBeDefined();
  return found!;
}
