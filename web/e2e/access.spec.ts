import {
  createCollection,
  expect,
  expectIndexed,
  mailedLinkPath,
  screenshotAll,
  signUpAndOpen,
  test,
} from "./fixtures";

test("a viewer cannot see a restricted collection until they are added to it", async ({
  page,
  browser,
  baseURL,
}) => {
  test.setTimeout(300_000); // two documents are indexed by the real ingest worker
  await signUpAndOpen(page, "Olga Owner");

  // The owner keeps one collection open to the organization and restricts another.
  await createCollection(page, "Field handbook");
  await createCollection(page, "Board minutes", { restricted: true });
  await expect(
    page.getByRole("link", { name: /Board minutes/ }).getByText("Restricted"),
  ).toBeVisible();
  for (const [collection, filename, text] of [
    ["Field handbook", "handbook.md", "The quarterly kite festival happens on the dunes."],
    ["Board minutes", "minutes.md", "The salary ledger mentions glacier bonuses."],
  ] as const) {
    await page.goto("/collections");
    await page.getByRole("link", { name: new RegExp(collection) }).click();
    await page.getByLabel("Choose files to upload").setInputFiles({
      name: filename,
      mimeType: "text/markdown",
      buffer: Buffer.from(`# ${collection}\n\n${text}\n`),
    });
    await expectIndexed(page, filename);
  }
  const restrictedUrl = page.url();

  // A second person signs up on their own, then joins the organization as a viewer.
  const viewerContext = await browser.newContext({ baseURL, ignoreHTTPSErrors: true });
  const viewerPage = await viewerContext.newPage();
  const viewer = await signUpAndOpen(viewerPage, "Vera Viewer");
  await page.goto("/members");
  await page.getByRole("button", { name: "Invite member" }).click();
  const invite = page.getByRole("dialog", { name: "Invite a member" });
  await invite.getByLabel("E-mail").fill(viewer.email);
  await invite.getByLabel("Role").selectOption("viewer");
  await invite.getByRole("button", { name: "Send invitation" }).click();
  await expect(page.getByTestId("toast")).toContainText(`Invitation sent to ${viewer.email}.`);

  await viewerPage.goto(await mailedLinkPath(page.request, viewer.email, "/invitations"));
  await viewerPage.getByRole("button", { name: "Accept invitation" }).click();
  await expect(viewerPage).toHaveURL(/\/collections$/);
  await expect(viewerPage.getByTestId("toast")).toContainText("You joined");

  // The list shows the open collection only.
  await expect(viewerPage.getByRole("link", { name: /Field handbook/ })).toBeVisible();
  await expect(viewerPage.getByRole("link", { name: /Board minutes/ })).toHaveCount(0);

  // Its address does not open it, and says so in words.
  await viewerPage.goto(restrictedUrl);
  await expect(
    viewerPage
      .getByRole("main")
      .getByRole("alert")
      .filter({ hasText: "No collection you may read" }),
  ).toBeVisible();
  await expect(viewerPage.getByRole("heading", { name: "Board minutes" })).toHaveCount(0);
  await expect(viewerPage.getByRole("link", { name: "minutes.md" })).toHaveCount(0);
  await expect(viewerPage.getByText("No documents yet")).toHaveCount(0);
  await screenshotAll(viewerPage, "collection-not-found");

  // Search finds what the viewer may read, and nothing of the restricted collection.
  await viewerPage.goto("/search?mode=fulltext");
  const box = viewerPage.getByLabel("Search your documents");
  await box.fill("kite festival");
  await viewerPage.keyboard.press("Enter");
  await expect(viewerPage.getByTestId("search-result").first()).toContainText("kite festival", {
    timeout: 60_000,
  });
  await box.fill("glacier bonuses");
  await viewerPage.keyboard.press("Enter");
  await expect(viewerPage.getByText("No results for “glacier bonuses”")).toBeVisible();
  await expect(viewerPage.getByTestId("search-result")).toHaveCount(0);

  // Once the owner adds them, the same viewer sees it (read-only: no upload).
  await page.goto(restrictedUrl);
  await page.getByRole("button", { name: "Collection members" }).click();
  const members = page.getByRole("dialog", { name: "Collection members" });
  await members.getByLabel("Add a person").selectOption({ label: `Vera Viewer (${viewer.email})` });
  await members.getByRole("button", { name: "Add" }).click();
  await expect(
    members.getByTestId("collection-member").filter({ hasText: viewer.email }),
  ).toBeVisible();
  await viewerPage.goto(restrictedUrl);
  await expect(viewerPage.getByRole("heading", { name: "Board minutes" })).toBeVisible();
  await expect(viewerPage.getByRole("link", { name: "minutes.md" })).toBeVisible();
  await expect(viewerPage.getByLabel("Choose files to upload")).toHaveCount(0);
  await viewerContext.close();
});
