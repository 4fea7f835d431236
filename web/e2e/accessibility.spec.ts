import AxeBuilder from "@axe-core/playwright";
import type { Locator, Page } from "@playwright/test";
import { expect, signUpAndOpen, test } from "./fixtures";

const NOTES = `# Quillon Point lighthouse

The Quillon Point lighthouse was built from pink granite in 1887.

In 1911 the keeper Okonkwo Baptiste painted the lamp room cobalt blue to confuse the gulls.

The lighthouse foghorn sounds every ninety seconds during winter storms.
`;

const QUESTION = "What color was the lamp room painted by Okonkwo Baptiste?";

/** A collection holding one markdown file, uploaded through the UI and indexed; its URL. */
async function uploadNotes(page: Page): Promise<string> {
  await page.getByRole("button", { name: "New collection" }).click();
  const dialog = page.getByRole("dialog", { name: "New collection" });
  await dialog.getByLabel("Name").fill("Lighthouse logs");
  await dialog.getByRole("button", { name: "Create collection" }).click();
  await page.getByRole("link", { name: /Lighthouse logs/ }).click();
  await expect(page).toHaveURL(/\/collections\/[0-9a-f-]{36}$/);
  const collectionUrl = page.url();
  await page.getByLabel("Choose files to upload").setInputFiles({
    name: "quillon-point.md",
    mimeType: "text/markdown",
    buffer: Buffer.from(NOTES),
  });
  const row = page.getByTestId("document-row").filter({ hasText: "quillon-point.md" });
  await expect(row.getByTestId("document-status")).toHaveAttribute("data-status", "indexed", {
    timeout: 90_000,
  });
  return collectionUrl;
}

type Scheme = "light" | "dark";

/** One axe scan (WCAG 2 A and AA) of the page as it is; its serious and critical findings. */
async function scan(page: Page, screen: string, scheme: Scheme): Promise<string[]> {
  const results = await new AxeBuilder({ page }).withTags(["wcag2a", "wcag2aa"]).analyze();
  return results.violations
    .filter((violation) => violation.impact === "serious" || violation.impact === "critical")
    .map((violation) => {
      const nodes = violation.nodes
        .slice(0, 5)
        .map(
          (node) =>
            `    - ${node.target.join(" ")}\n      ${node.failureSummary?.replace(/\n/g, "\n      ")}`,
        )
        .join("\n");
      const more =
        violation.nodes.length > 5 ? `\n    … and ${violation.nodes.length - 5} more` : "";
      return `[${screen}, ${scheme}] ${violation.id} (${violation.impact}): ${violation.help}\n${nodes}${more}`;
    });
}

/** Scan the page in light and dark, once `ready` is visible and no skeleton is left. */
async function scanBoth(page: Page, screen: string, ready: Locator): Promise<string[]> {
  const found: string[] = [];
  for (const scheme of ["light", "dark"] as const) {
    await page.emulateMedia({ colorScheme: scheme });
    await expect(page.locator("html")).toHaveClass(scheme === "dark" ? /dark/ : /^(?!.*dark)/);
    await expect(ready.first()).toBeVisible();
    await expect(page.locator(".animate-pulse")).toHaveCount(0);
    // Let colour transitions finish before contrast is measured.
    await page.waitForTimeout(300);
    found.push(...(await scan(page, screen, scheme)));
  }
  await page.emulateMedia({ colorScheme: "light" });
  return found;
}

test("accessibility: every screen, light and dark, has no serious or critical axe violation", async ({
  page,
}) => {
  // Indexing and the first answer run on real, slow workers; each screen is scanned twice.
  test.setTimeout(600_000);
  const violations: string[] = [];
  const heading = (name: string | RegExp) => page.getByRole("heading", { name, level: 1 });

  // Signed out.
  const publicScreens: [string, string, Locator][] = [
    ["sign-in", "/sign-in", page.getByRole("heading", { name: "Welcome back" })],
    ["sign-up", "/sign-up", page.getByRole("button", { name: "Create account" })],
    ["forgot-password", "/forgot-password", page.locator("form")],
    ["reset-password", "/reset-password?token=invalid", page.locator("h1")],
    ["verify-email", "/verify-email?token=invalid", page.locator("h1")],
  ];
  for (const [screen, url, ready] of publicScreens) {
    await page.goto(url);
    violations.push(...(await scanBoth(page, screen, ready)));
  }

  // Signed in, with one indexed document and one answered question.
  await signUpAndOpen(page, "Alba Axe");
  const collectionUrl = await uploadNotes(page);
  const documentHref = await page
    .getByTestId("document-row")
    .filter({ hasText: "quillon-point.md" })
    .getByRole("link")
    .first()
    .getAttribute("href");
  expect(documentHref).toMatch(/\/documents\/[0-9a-f-]{36}/);

  await page.goto("/ask");
  await page.getByLabel("Ask a question").fill(QUESTION);
  await page.getByRole("button", { name: "Ask", exact: true }).click();
  const answer = page.getByTestId("answer").first();
  await expect(answer).toHaveAttribute("data-state", "done", { timeout: 120_000 });
  await expect(page).toHaveURL(/\/ask\/[0-9a-f-]{36}$/);
  const conversationUrl = new URL(page.url()).pathname;

  const screens: [string, string, Locator][] = [
    ["collections", "/collections", heading("Collections")],
    ["collection", collectionUrl, page.getByTestId("document-row")],
    ["document", documentHref!, page.locator("h1")],
    ["search", "/search", page.getByLabel("Search your documents")],
    ["search-results", "/search?q=cobalt+blue&mode=fulltext", page.getByTestId("search-result")],
    ["search-empty", "/search?q=zzzqqqxxx&mode=fulltext", page.getByText(/no results|nothing/i)],
    ["ask", "/ask", page.getByText("Ask your documents")],
    ["ask-conversation", conversationUrl, page.getByTestId("answer")],
    ["notifications", "/notifications", page.locator("h1")],
    ["members", "/members", heading("Members")],
    ["invitations", "/invitations", page.locator("main")],
    ["settings", "/settings", heading("Settings")],
    ["settings-security", "/settings/security", heading("Settings")],
    ["settings-sessions", "/settings/sessions", heading("Settings")],
    ["settings-notifications", "/settings/notifications", heading("Settings")],
    ["settings-privacy", "/settings/privacy", heading("Settings")],
    ["settings-api-keys", "/settings/api-keys", heading("Settings")],
    ["settings-audit", "/settings/audit", heading("Settings")],
    ["settings-ingestion", "/settings/ingestion", heading("Settings")],
    [
      "settings-analytics",
      "/settings/analytics",
      page.getByRole("region", { name: "At a glance" }),
    ],
    ["settings-evaluation", "/settings/evaluation", heading("Settings")],
    ["settings-organization", "/settings/organization", heading("Settings")],
  ];
  for (const [screen, url, ready] of screens) {
    await page.goto(url);
    violations.push(...(await scanBoth(page, screen, ready)));
  }

  // Open layers: the citation's passage dialog and the account menu.
  await page.goto(conversationUrl);
  await page
    .getByTestId("answer")
    .first()
    .getByRole("button", { name: /^Citation \d+/ })
    .first()
    .click();
  violations.push(
    ...(await scanBoth(
      page,
      "passage-dialog",
      page.getByRole("dialog", { name: "Cited passage" }),
    )),
  );
  await page.keyboard.press("Escape");
  await page.goto("/collections");
  await page.getByRole("button", { name: "Account menu" }).click();
  violations.push(...(await scanBoth(page, "account-menu", page.getByRole("menu"))));
  await page.keyboard.press("Escape");

  expect(
    violations,
    `axe found serious or critical violations:\n\n${violations.join("\n\n")}`,
  ).toEqual([]);
});

/** Press Tab until `target` has the focus (at most `limit` times). */
async function tabTo(page: Page, target: Locator, limit = 60): Promise<void> {
  for (let i = 0; i < limit; i++) {
    if (await target.evaluate((element) => element === document.activeElement).catch(() => false))
      return;
    await page.keyboard.press("Tab");
  }
  await expect(target).toBeFocused();
}

test("accessibility: a keyboard-only journey through search and ask", async ({ page }) => {
  test.setTimeout(300_000);
  await signUpAndOpen(page, "Kiran Keys");
  await uploadNotes(page); // set-up only: the journey below uses no mouse
  await page.goto("/collections");
  await expect(page.getByRole("heading", { name: "Collections", exact: true })).toBeVisible();

  // The first Tab reaches the skip link.
  await page.keyboard.press("Tab");
  await expect(page.getByRole("link", { name: "Skip to content" })).toBeFocused();

  // Search: from the header's search link into the box, type, Enter.
  await tabTo(page, page.getByRole("link", { name: /^Search \(press/ }));
  await page.keyboard.press("Enter");
  await expect(page).toHaveURL(/\/search/);
  const box = page.getByLabel("Search your documents");
  await expect(box).toBeFocused();
  await page.keyboard.type("cobalt blue");
  await page.keyboard.press("Enter");
  const hit = page
    .getByTestId("search-result")
    .filter({ hasText: /cobalt blue/i })
    .first();
  await expect(hit).toBeVisible({ timeout: 90_000 });

  // Open the result.
  await tabTo(page, hit.getByRole("link").first());
  await page.keyboard.press("Enter");
  await expect(page).toHaveURL(/\/documents\/[0-9a-f-]{36}/);
  await expect(page.getByText(/cobalt blue/).first()).toBeVisible();

  // Ask: through the main navigation to the question box.
  await tabTo(
    page,
    page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Ask" }),
  );
  await page.keyboard.press("Enter");
  await expect(page).toHaveURL(/\/ask$/);
  const question = page.getByLabel("Ask a question");
  await tabTo(page, question);
  await page.keyboard.type(QUESTION);
  await page.keyboard.press("Enter");
  const answer = page.getByTestId("answer").first();
  await expect(answer).toHaveAttribute("data-state", "done", { timeout: 120_000 });
  await expect(answer).toContainText("cobalt blue");

  // Reach a citation and open its passage; Escape gives the focus back.
  const citation = answer.getByRole("button", { name: /^Citation \d+: quillon-point/ }).first();
  await tabTo(page, citation);
  await expect(citation).toBeFocused();
  await page.keyboard.press("Enter");
  const passage = page.getByRole("dialog", { name: "Cited passage" });
  await expect(passage.locator("mark")).toContainText("cobalt blue");
  const open = passage.getByRole("link", { name: "Open the document" });
  await tabTo(page, open, 10);
  await page.keyboard.press("Escape");
  await expect(passage).toBeHidden();
  await expect(citation).toBeFocused();
});
