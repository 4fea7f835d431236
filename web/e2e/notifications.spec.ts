import type { Page } from "@playwright/test";
import {
  createCollection,
  expect,
  expectIndexed,
  PASSWORD,
  screenshotAll,
  signUpAndOpen,
  test,
  uniqueEmail,
} from "./fixtures";

/**
 * Open the mail to `email` whose subject matches, on the /dev/mail page (which asks the
 * capture again every few seconds: the mail travels the real way, over SMTP, meanwhile).
 */
async function openMail(page: Page, email: string, subject: RegExp): Promise<void> {
  await page.goto("/dev/mail");
  await expect(page.getByRole("heading", { name: "Development mail" })).toBeVisible();
  const row = page.getByTestId("mail-row").filter({ hasText: email }).filter({ hasText: subject });
  await expect(row).toBeVisible({ timeout: 60_000 });
  await row.first().click();
  await expect(page.getByRole("article", { name: subject })).toBeVisible();
}

test("a newcomer confirms their address from /dev/mail; a colleague joins from theirs", async ({
  page,
  browser,
  baseURL,
}) => {
  test.setTimeout(180_000);
  const email = uniqueEmail("nina");
  await page.goto("/sign-up");
  await page.getByLabel("Name").fill("Nina Newcomer");
  await page.getByLabel("E-mail").fill(email);
  await page.getByLabel("Password").fill(PASSWORD);
  await page.getByRole("button", { name: "Create account" }).click();
  await expect(page).toHaveURL(/\/collections$/);

  // The verification mail, read in the browser; its button opens the link in the app.
  await openMail(page, email, /Confirm your e-mail address/);
  const html = page.getByTestId("mail-html");
  await expect(html.getByRole("link", { name: "Confirm my address" })).toBeVisible();
  await expect(page.getByTestId("mail-text")).toContainText("/verify-email?token=");
  expect(await html.locator("script, img, iframe, form, style").count()).toBe(0);
  await screenshotAll(page, "dev-mail");
  await html.getByRole("link", { name: "Confirm my address" }).click();
  await expect(page).toHaveURL(/\/verify-email\?token=/);
  await expect(
    page.getByRole("status").filter({ hasText: "Your e-mail is verified" }),
  ).toBeVisible();

  // A colleague signs up on their own, in another browser.
  const colleagueContext = await browser.newContext({ baseURL, ignoreHTTPSErrors: true });
  const colleague = await colleagueContext.newPage();
  const colleagueEmail = uniqueEmail("colin");
  await colleague.goto("/sign-up");
  await colleague.getByLabel("Name").fill("Colin Colleague");
  await colleague.getByLabel("E-mail").fill(colleagueEmail);
  await colleague.getByLabel("Password").fill(PASSWORD);
  await colleague.getByRole("button", { name: "Create account" }).click();
  await expect(colleague).toHaveURL(/\/collections$/);

  // Nina invites them.
  await page.goto("/members");
  await page.getByRole("button", { name: "Invite member" }).click();
  const invite = page.getByRole("dialog", { name: "Invite a member" });
  await invite.getByLabel("E-mail").fill(colleagueEmail);
  await invite.getByLabel("Role").selectOption("editor");
  await invite.getByRole("button", { name: "Send invitation" }).click();
  await expect(page.getByTestId("toast")).toContainText(`Invitation sent to ${colleagueEmail}.`);

  // The colleague follows the link of the invitation's mail: its list of links this time.
  await openMail(colleague, colleagueEmail, /You are invited to join/);
  await colleague
    .getByRole("region", { name: "Links in this mail" })
    .getByRole("link", { name: /\/invitations\?token=/ })
    .click();
  await expect(colleague).toHaveURL(/\/invitations\?token=/);
  await colleague.getByRole("button", { name: "Accept invitation" }).click();
  await expect(colleague).toHaveURL(/\/collections$/);
  await expect(colleague.getByTestId("toast")).toContainText("You joined");
  await colleagueContext.close();

  // Nina's members list has them now.
  await page.goto("/members");
  await expect(page.getByTestId("member-row").filter({ hasText: colleagueEmail })).toContainText(
    "Editor",
  );
});

test("the bell counts a document indexed as it happens; the page lists it live", async ({
  page,
  context,
}) => {
  test.setTimeout(240_000); // indexing runs on the real ingest worker
  await signUpAndOpen(page, "Bea Bell");
  const bell = page.getByRole("button", { name: /^Notifications/ });
  await expect(bell).toHaveAccessibleName("Notifications, none unread");

  // A second tab keeps the notifications page open meanwhile.
  const inbox = await context.newPage();
  await inbox.goto("/notifications");
  await expect(inbox.getByRole("heading", { name: "Notifications", exact: true })).toBeVisible();
  await expect(inbox.getByText("No notifications yet")).toBeVisible();

  await createCollection(page, "Bird notes");
  await page.getByRole("link", { name: /Bird notes/ }).click();
  await expect(page.getByRole("heading", { name: "Bird notes" })).toBeVisible();
  // Nothing reloads from here on, and nothing polls the count: it comes over the feed.
  await page.evaluate(() => ((window as { marker?: string }).marker = "same page"));
  const countRequests: string[] = [];
  page.on("request", (request) => {
    if (new URL(request.url()).pathname === "/api/notifications/unread-count")
      countRequests.push(request.url());
  });

  await page.getByLabel("Choose files to upload").setInputFiles({
    name: "puffins.md",
    mimeType: "text/markdown",
    buffer: Buffer.from("# Puffins\n\nPuffins nest in burrows on the cliffs.\n"),
  });
  await expectIndexed(page, "puffins.md");
  await expect(bell).toHaveAccessibleName("Notifications, 1 unread", { timeout: 10_000 });
  await expect(page.getByTestId("unread-count")).toHaveText("1");
  await expect(page.getByRole("status").filter({ hasText: "1 unread notification" })).toHaveCount(
    1,
  );
  expect(await page.evaluate(() => (window as { marker?: string }).marker)).toBe("same page");
  expect(countRequests).toEqual([]);

  // The other tab's page shows it on top, without a reload either.
  const row = inbox.getByTestId("notification-row").first();
  await expect(row).toContainText("Document ready", { timeout: 10_000 });
  await expect(row).toContainText("puffins");
  await expect(row).toHaveAttribute("data-read", "false");
  await screenshotAll(inbox, "notifications");

  // The panel lists it; following it opens the document and marks it read.
  await bell.click();
  const panel = page.getByRole("menu");
  const item = panel.getByTestId("bell-notification").filter({ hasText: "puffins" });
  await expect(item).toBeVisible();
  await item.click();
  await expect(page).toHaveURL(/\/documents\/[0-9a-f-]+$/);
  await expect(bell).toHaveAccessibleName("Notifications, none unread");
  await expect(page.getByTestId("unread-count")).toHaveCount(0);
  // The read reaches the other tab over its own feed.
  await expect(inbox.getByRole("button", { name: /^Notifications/ })).toHaveAccessibleName(
    "Notifications, none unread",
  );
  await inbox.reload();
  await expect(inbox.getByTestId("notification-row").first()).toHaveAttribute("data-read", "true");
  await inbox.getByLabel("Unread only").check();
  await expect(inbox.getByText("No unread notifications")).toBeVisible();
});
