import path from "node:path";
import {
  dropFiles,
  expect,
  expectIndexed,
  FILES,
  PASSWORD,
  screenshotAll,
  test,
  uniqueEmail,
} from "./fixtures";

test("sign up, create a collection, upload, search, ask, sign out and back in", async ({
  page,
}) => {
  test.setTimeout(360_000); // indexing and the first answer run on real, slow workers
  const email = uniqueEmail("ada");
  const collectionName = `Research notes ${Date.now()}`;

  await page.goto("/sign-in");
  await expect(page.getByRole("heading", { name: "Welcome back" })).toBeVisible();
  await screenshotAll(page, "sign-in");

  await page.getByRole("link", { name: "Create an account" }).click();
  await expect(page).toHaveURL(/\/sign-up$/);
  await expect(page.getByRole("button", { name: "Create account" })).toBeVisible();
  await screenshotAll(page, "sign-up");
  await page.getByLabel("Name").fill("Ada Lovelace");
  await page.getByLabel("E-mail").fill(email);
  await page.getByLabel("Password").fill("short");
  await page.getByRole("button", { name: "Create account" }).click();
  await expect(page.getByText("Use at least 10 characters.")).toBeVisible();
  await page.getByLabel("Password").fill(PASSWORD);
  await page.getByRole("button", { name: "Create account" }).click();

  await expect(page).toHaveURL(/\/collections$/);
  await expect(page.getByRole("heading", { name: "Collections", exact: true })).toBeVisible();
  await expect(page.getByTestId("org-name")).not.toBeEmpty();
  const token = await page.evaluate(() => JSON.stringify(window.localStorage));
  expect(token).not.toContain("eyJ"); // no JWT in localStorage

  await page.getByRole("button", { name: "New collection" }).click();
  const dialog = page.getByRole("dialog", { name: "New collection" });
  await dialog.getByLabel("Name").fill(collectionName);
  await dialog
    .getByLabel("Description (optional)")
    .fill("Papers and notes on the analytical engine.");
  await dialog.getByRole("button", { name: "Create collection" }).click();
  await expect(dialog).toBeHidden();
  await screenshotAll(page, "collections");
  await page.getByRole("link", { name: new RegExp(collectionName) }).click();
  await expect(page.getByRole("heading", { name: collectionName })).toBeVisible();

  await page.getByLabel("Choose files to upload").setInputFiles({
    name: "engine-notes.md",
    mimeType: "text/markdown",
    buffer: Buffer.from("# Notes\n\nThe analytical engine weaves algebraic patterns.\n"),
  });
  await expect(page.getByTestId("upload-item").first()).toHaveAttribute("data-state", "done");
  const row = page.getByTestId("document-row").filter({ hasText: "engine-notes.md" });
  await expect(row).toBeVisible();
  await expect(row.getByTestId("document-status")).toHaveAttribute(
    "data-status",
    /uploaded|processing|indexed/,
  );

  // The same file again is refused with a readable message, not raw JSON.
  await page.getByLabel("Choose files to upload").setInputFiles({
    name: "engine-notes.md",
    mimeType: "text/markdown",
    buffer: Buffer.from("# Notes\n\nThe analytical engine weaves algebraic patterns.\n"),
  });
  const refused = page.getByTestId("upload-item").filter({ has: page.getByRole("alert") });
  await expect(refused.getByRole("alert")).toBeVisible();
  await expect(refused.getByRole("alert")).not.toContainText("{");

  // Dropped files take the same path; content Sift cannot index is refused by type.
  await dropFiles(page, [
    { name: "dropped-notes.txt", type: "text/plain", text: "Difference engine tables, dropped." },
    { name: "photo.png", type: "image/png", text: "\u0089PNG\r\n\u001a\n\u0000\u0000\u0000\rIHDR" },
  ]);
  await expect(
    page.getByTestId("document-row").filter({ hasText: "dropped-notes.txt" }),
  ).toBeVisible();
  const unsupported = page.getByTestId("upload-item").filter({ hasText: "photo.png" });
  await expect(unsupported.getByRole("alert")).toContainText("This file type is not supported.");

  // A real PDF and a real DOCX go through extraction, chunking and embedding.
  await page
    .getByLabel("Choose files to upload")
    .setInputFiles([path.join(FILES, "harbor-almanac.pdf"), path.join(FILES, "ferry-log.docx")]);
  await expectIndexed(page, "harbor-almanac.pdf");
  await expectIndexed(page, "ferry-log.docx");
  await screenshotAll(page, "collection");

  // Search finds a phrase of each, highlighted: the PDF's by full text, the DOCX's in the
  // default (hybrid) mode, whose first query waits for the search model to load.
  for (const [mode, phrase, words] of [
    ["fulltext", "copper heron", /copper|heron/i],
    ["hybrid", "saffron lanterns", /saffron|lanterns/i],
  ] as const) {
    const hit = page.getByTestId("search-result").filter({ hasText: new RegExp(phrase, "i") });
    await expect(async () => {
      await page.goto(`/search?mode=${mode}`);
      await page.getByLabel("Search your documents").fill(phrase);
      await page.getByRole("button", { name: "Search", exact: true }).click();
      await expect(hit.first()).toBeVisible({ timeout: 45_000 });
    }).toPass({ timeout: 150_000 });
    await expect(hit.first().getByTestId("search-snippet").locator("mark").first()).toHaveText(
      words,
    );
  }
  await screenshotAll(page, "search-results");

  // Ask: the answer streams in, and its citation opens the passage it rests on.
  await page.goto("/ask");
  await page.getByLabel("Ask a question").fill("Who founded the tidal observatory, and when?");
  const streamed = page.waitForResponse(
    (response) => new URL(response.url()).pathname === "/api/assistant/ask",
  );
  await page.getByRole("button", { name: "Ask", exact: true }).click();
  expect((await streamed).headers()["content-type"]).toContain("text/event-stream");
  const answer = page.getByTestId("answer");
  await expect(answer).toHaveAttribute("data-state", "done", { timeout: 180_000 });
  await expect(answer).not.toBeEmpty();
  await expect(page.getByTestId("answer-provider")).not.toBeEmpty();
  await page
    .getByRole("button", { name: /^Citation / })
    .first()
    .click();
  const cited = page.getByRole("dialog", { name: "Cited passage" });
  await expect(cited).toBeVisible();
  await expect(cited.locator("mark").first()).toBeVisible();
  await expect(cited).toContainText(/observatory/i);
  await page.keyboard.press("Escape");

  // A reload empties memory; the refresh cookie restores the session silently.
  await page.goto("/collections");
  await page.getByRole("link", { name: new RegExp(collectionName) }).click();
  await expect(page.getByRole("heading", { name: collectionName })).toBeVisible();
  await page.reload();
  await expect(page.getByRole("heading", { name: collectionName })).toBeVisible();
  await page.getByRole("button", { name: "Account menu" }).click();
  await page.getByRole("menuitem", { name: "Sign out", exact: true }).click();
  await expect(page).toHaveURL(/\/sign-in$/);
  await page.goto("/collections");
  await expect(page).toHaveURL(/\/sign-in\?next=/);

  await page.getByLabel("E-mail").fill(email);
  await page.getByLabel("Password").fill(PASSWORD);
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page).toHaveURL(/\/collections$/);
  await expect(page.getByRole("link", { name: new RegExp(collectionName) })).toBeVisible();
});

test("wrong credentials show a readable error", async ({ page }) => {
  await page.goto("/sign-in");
  await page.getByLabel("E-mail").fill(uniqueEmail("nobody"));
  await page.getByLabel("Password").fill("not-the-password-123");
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page.getByRole("alert")).toBeVisible();
  await expect(page.getByRole("alert")).not.toContainText("{");
});
