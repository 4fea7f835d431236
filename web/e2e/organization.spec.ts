import { expect, PASSWORD, screenshotAll, signUpAndOpen, test } from "./fixtures";

test("organization settings: its owner deletes a team organization and follows the deletion", async ({
  page,
}) => {
  test.setTimeout(240_000); // every service answers through the real consumers
  const owner = await signUpAndOpen(page, "Otto Harbourmaster", "/collections");
  const login = await page.request.post("/api/auth/login", {
    data: { email: owner.email, password: PASSWORD },
  });
  expect(login.status(), await login.text()).toBe(200);
  const token = (await login.json()).access_token as string;
  const created = await page.request.post("/api/orgs", {
    headers: { Authorization: `Bearer ${token}` },
    data: { name: "Harbour team" },
  });
  expect(created.status(), await created.text()).toBe(201);

  // A personal organization goes only with its account.
  await page.goto("/settings/organization");
  await expect(page.getByText("Your personal organization")).toBeVisible();

  await page.reload(); // the new organization is listed
  await page.getByRole("button", { name: /Switch organization/ }).click();
  await page.getByRole("menuitemradio", { name: /Harbour team/ }).click();
  await expect(page.getByTestId("org-name")).toHaveText("Harbour team");
  await page.goto("/settings/organization");
  await expect(page.getByRole("heading", { name: "Delete this organization" })).toBeVisible();
  await expect(page.getByText("This cannot be undone.")).toBeVisible();
  await screenshotAll(page, "settings-organization");

  await page.getByRole("button", { name: "Delete organization…" }).click();
  const dialog = page.getByRole("dialog", { name: "Delete Harbour team?" });
  await dialog.getByLabel("Password").fill("not-my-password-42");
  await dialog.getByRole("button", { name: "Delete organization" }).click();
  await expect(dialog.getByRole("alert")).toBeVisible();
  await expect(dialog.getByRole("alert")).not.toContainText("{");
  await dialog.getByLabel("Password").fill(PASSWORD);
  await dialog.getByRole("button", { name: "Delete organization" }).click();

  // Progress per service, until every one has erased its part.
  await expect(page.getByTestId("deletion-part")).toHaveCount(5, { timeout: 30_000 });
  await expect(page.getByRole("heading", { name: "Organization deleted" })).toBeVisible({
    timeout: 120_000,
  });
  await expect(page.getByTestId("org-name")).not.toHaveText("Harbour team");
  await page.getByRole("button", { name: /Switch organization/ }).click();
  await expect(page.getByRole("menuitemradio", { name: /Harbour team/ })).toHaveCount(0);
});
