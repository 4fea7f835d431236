import { expect, screenshotAll, signUpAndOpen, test } from "./fixtures";

test("document page: details, processing, versions, download, delete; search finds it", async ({
  page,
}) => {
  test.setTimeout(240_000); // indexing runs on the real ingest worker
  await signUpAndOpen(page, "Dora Docs");
  await page.getByRole("button", { name: "New collection" }).click();
  const dialog = page.getByRole("dialog", { name: "New collection" });
  await dialog.getByLabel("Name").fill("Field guides");
  await dialog.getByRole("button", { name: "Create collection" }).click();
  await page.getByRole("link", { name: /Field guides/ }).click();

  const text = "# Lichens\n\nCrustose lichens colonize granite boulders slowly.\n";
  await page.getByLabel("Choose files to upload").setInputFiles({
    name: "lichens.md",
    mimeType: "text/markdown",
    buffer: Buffer.from(text),
  });
  const row = page.getByTestId("document-row").filter({ hasText: "lichens.md" });
  await expect(row.getByTestId("document-status")).toHaveAttribute("data-status", "indexed", {
    timeout: 90_000,
  });

  // Filters narrow the list on the server.
  await page.getByLabel("Status").selectOption("failed");
  await expect(page.getByText("No documents match")).toBeVisible();
  await page.getByLabel("Status").selectOption("");
  await expect(row).toBeVisible();

  await row.getByRole("link").click();
  await expect(page).toHaveURL(/\/documents\/[0-9a-f-]+$/);
  const documentUrl = page.url();
  await expect(page.getByRole("heading", { level: 1 })).toBeVisible();
  await expect(page.getByTestId("processing-step").first()).toBeVisible();

  // Metadata: title and tags.
  await page.getByLabel("Title").fill("Lichens of the north");
  await page.getByLabel("Tags").fill("botany, field, botany");
  await page.getByRole("button", { name: "Save details" }).click();
  await expect(page.getByRole("heading", { name: "Lichens of the north" })).toBeVisible();
  await expect(page.getByLabel("Tags")).toHaveValue("botany, field");
  await screenshotAll(page, "document");

  // Download: the original bytes.
  const downloading = page.waitForEvent("download");
  await page.getByRole("button", { name: "Download" }).click();
  const download = await downloading;
  expect(download.suggestedFilename()).toBe("lichens.md");

  // A new version: listed and current.
  await page.getByLabel("Choose a new version").setInputFiles({
    name: "lichens-v2.md",
    mimeType: "text/markdown",
    buffer: Buffer.from(`${text}\nFoliose lichens prefer bark.\n`),
  });
  await expect(page.getByTestId("version-row")).toHaveCount(2);
  await expect(page.getByTestId("version-row").filter({ hasText: "Current" })).toContainText(
    "Version 2",
  );

  // Search from anywhere: "/" opens it; results highlight the words.
  await page.getByRole("heading", { level: 1 }).click();
  await page.keyboard.press("/");
  await expect(page).toHaveURL(/\/search/);
  await expect(page.getByLabel("Search your documents")).toBeFocused();
  // Full text: semantic search loads its model on first use, which a busy machine makes slow.
  await page.getByRole("radio", { name: "Full text" }).click();
  await expect(page).toHaveURL(/mode=fulltext/);
  await page.getByLabel("Search your documents").fill("granite boulders");
  await page.keyboard.press("Enter");
  const result = page.getByTestId("search-result").first();
  await expect(result).toContainText("Lichens of the north", { timeout: 90_000 });
  await expect(result.getByTestId("search-snippet").locator("mark").first()).toBeVisible();
  await screenshotAll(page, "search");
  await page.getByRole("button", { name: "Save search" }).click();
  await page.getByRole("dialog").getByRole("button", { name: "Save" }).click();
  await expect(page.getByTestId("toast").filter({ hasText: "Search saved" })).toBeVisible();
  await page.getByLabel("Search your documents").fill("zyzzyva quokka");
  await page.keyboard.press("Enter");
  await expect(page.getByText("No results for “zyzzyva quokka”")).toBeVisible();

  // Opening a result tells analytics which one (its search, rank from 1) beside the link.
  await page.getByLabel("Search your documents").fill("granite boulders");
  await page.keyboard.press("Enter");
  const found = page.getByTestId("search-result").first();
  await expect(found).toContainText("Lichens of the north", { timeout: 90_000 });
  const clicked = page.waitForResponse(
    (response) =>
      new URL(response.url()).pathname === "/api/search/clicks" &&
      response.request().method() === "POST",
  );
  await found.getByRole("link").first().click();
  // 204: the server took the body (a 422 otherwise) and knew the search (a 404 otherwise).
  // The body itself is not shown to Playwright (the client re-sends it as a stream); the
  // unit test SearchPage.test.tsx checks it.
  expect((await clicked).status()).toBe(204);
  await expect(page).toHaveURL(new RegExp(`^${documentUrl}(\\?|$)`));

  // Delete, after confirming.
  await page.goto(documentUrl);
  await page.getByRole("button", { name: "Delete", exact: true }).click();
  await page.getByRole("dialog").getByRole("button", { name: "Delete document" }).click();
  await expect(page).toHaveURL(/\/collections\/[0-9a-f-]+$/);
  await expect(page.getByText("No documents yet")).toBeVisible();
});
