import { dropFiles, expect, PASSWORD, screenshotAll, test, uniqueEmail } from "./fixtures";

test("sign up, create a collection, upload, sign out and back in", async ({ page }) => {
  const email = uniqueEmail("ada");
  const collectionName = `Research notes ${Date.now()}`;

  await page.goto("/sign-in");
  await expect(page.getByRole("heading", { name: "Welcome back" })).toBeVisible();
  await screenshotAll(page, "sign-in");

  await page.getByRole("link", { name: "Create an account" }).click();
  await expect(page).toHaveURL(/\/sign-up$/);
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

  await screenshotAll(page, "collection");

  // A reload empties memory; the refresh cookie restores the session silently.
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
