import { expect, screenshotAll, signUpAndOpen, test, uniqueEmail } from "./fixtures";

test("members: the owner sees themself and invites someone with a role", async ({ page }) => {
  const owner = await signUpAndOpen(page, "Ada Admin", "/members");
  await expect(page.getByRole("heading", { name: "Members", exact: true })).toBeVisible();
  const me = page.getByTestId("member-row").filter({ hasText: owner.email });
  await expect(me).toContainText("You");
  await expect(me).toContainText("Owner");

  await page.getByRole("button", { name: "Invite member" }).click();
  const dialog = page.getByRole("dialog", { name: "Invite a member" });
  await dialog.getByLabel("E-mail").fill("not-an-address");
  await dialog.getByRole("button", { name: "Send invitation" }).click();
  await expect(dialog.getByText("Enter a valid e-mail address.")).toBeVisible();
  const invitee = uniqueEmail("colleague");
  await dialog.getByLabel("E-mail").fill(invitee);
  await dialog.getByLabel("Role").selectOption("editor");
  await dialog.getByRole("button", { name: "Send invitation" }).click();
  await expect(dialog).toBeHidden();
  await expect(page.getByTestId("toast")).toContainText(`Invitation sent to ${invitee}.`);
  await screenshotAll(page, "members");
});

test("theme: the choice persists over a reload; the shell works at 375 px", async ({ page }) => {
  await page.setViewportSize({ width: 375, height: 740 });
  await signUpAndOpen(page, "Tim Theme");
  const toggle = page.getByRole("button", { name: /theme/ });
  // system → light → dark
  await toggle.click();
  await toggle.click();
  await expect(toggle).toHaveAccessibleName(/^Dark theme/);
  await expect(page.locator("html")).toHaveClass(/dark/);
  await page.reload();
  await expect(page.locator("html")).toHaveClass(/dark/);
  // The theme is applied as soon as the page hydrates; the shell (skip link, menu) only
  // once the session is restored, a round trip later: press keys when it is there.
  await expect(page.getByRole("button", { name: "Account menu" })).toBeVisible();

  // Keyboard: the skip link is the first stop, and it is visible when focused.
  await page.keyboard.press("Tab");
  const skip = page.getByRole("link", { name: "Skip to content" });
  await expect(skip).toBeFocused();
  await expect(skip).toBeVisible();
  await skip.blur(); // it sits over the menu button while focused

  // The navigation folds into a menu; every page is reachable from it.
  await expect(page.getByRole("navigation", { name: "Main" })).toBeHidden();
  await page.getByRole("button", { name: "Open navigation" }).click();
  await page
    .getByRole("navigation", { name: "Main" })
    .getByRole("link", { name: "Members" })
    .click();
  await expect(page.getByRole("heading", { name: "Members", exact: true })).toBeVisible();
  const overflow = await page.evaluate(
    () => document.documentElement.scrollWidth > document.documentElement.clientWidth,
  );
  expect(overflow).toBe(false); // nothing wider than the phone
});
