import {
  createCollection,
  expect,
  mailedLinkPath,
  screenshotAll,
  signUpAndOpen,
  test,
} from "./fixtures";

test("an admin filters the audit log and sees their own actions; a viewer does not get it", async ({
  page,
  browser,
  baseURL,
}) => {
  test.setTimeout(180_000);
  await signUpAndOpen(page, "Ada Auditor");
  await createCollection(page, "Quarterly controls");

  await page.goto("/settings");
  await page
    .getByRole("navigation", { name: "Settings" })
    .getByRole("link", { name: "Audit log" })
    .click();
  await expect(page).toHaveURL(/\/settings\/audit$/);
  const log = page.getByRole("region", { name: "Audit log" });
  await log.getByLabel("Action", { exact: true }).fill("collection.created");
  await log.getByLabel("Only my actions").check();

  // The audit consumer records the event moments after it was published: apply until it is there.
  const rows = log.getByTestId("audit-row");
  await expect(async () => {
    await log.getByRole("button", { name: "Apply filters" }).click();
    await expect(rows.first()).toContainText("collection.created", { timeout: 2_000 });
  }).toPass({ timeout: 60_000 });
  await expect(rows).toHaveCount(1);
  await expect(rows.first()).toContainText("collection");
  await expect(log.getByTestId("audit-chain")).toHaveAttribute("data-ok", "true");

  // Another action is filtered out; removing the filter shows the sign-up too.
  await log.getByLabel("Action", { exact: true }).fill("user.signed_up");
  await log.getByRole("button", { name: "Apply filters" }).click();
  await expect(rows.first()).toContainText("user.signed_up");
  await log.getByLabel("Action", { exact: true }).fill("");
  await log.getByRole("button", { name: "Apply filters" }).click();
  await expect(rows.filter({ hasText: "collection.created" })).toHaveCount(1);
  await expect(rows.filter({ hasText: "user.signed_up" })).toHaveCount(1);

  const download = page.waitForEvent("download");
  await log.getByRole("button", { name: "Export CSV" }).click();
  expect((await download).suggestedFilename()).toBe("audit-log.csv");
  await screenshotAll(page, "audit-log");

  // A viewer of the same organization gets neither the tab nor the log.
  const viewerContext = await browser.newContext({ baseURL, ignoreHTTPSErrors: true });
  const viewerPage = await viewerContext.newPage();
  const viewer = await signUpAndOpen(viewerPage, "Vic Viewer");
  await page.goto("/members");
  await page.getByRole("button", { name: "Invite member" }).click();
  const invite = page.getByRole("dialog", { name: "Invite a member" });
  await invite.getByLabel("E-mail").fill(viewer.email);
  await invite.getByLabel("Role").selectOption("viewer");
  await invite.getByRole("button", { name: "Send invitation" }).click();
  await expect(page.getByTestId("toast")).toContainText(`Invitation sent to ${viewer.email}.`);
  await viewerPage.goto(await mailedLinkPath(page.request, viewer.email, "/invitations"));
  await viewerPage.getByRole("button", { name: "Accept invitation" }).click();
  await expect(viewerPage.getByTestId("toast")).toContainText("You joined");

  await viewerPage.goto("/settings/audit");
  await expect(viewerPage.getByText("Only admins read the audit log")).toBeVisible();
  await expect(viewerPage.getByTestId("audit-row")).toHaveCount(0);
  await expect(
    viewerPage
      .getByRole("navigation", { name: "Settings" })
      .getByRole("link", { name: "Audit log" }),
  ).toHaveCount(0);
  await viewerContext.close();
});
