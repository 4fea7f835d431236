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

test("organization settings: its owner renames it, sets the AI quota and provider and the redaction default, and each takes effect", async ({
  page,
}) => {
  test.setTimeout(240_000);
  const owner = await signUpAndOpen(page, "Rhea Settings", "/settings/organization");
  const login = await page.request.post("/api/auth/login", {
    data: { email: owner.email, password: PASSWORD },
  });
  const token = (await login.json()).access_token as string;
  const toast = (text: string) => page.getByTestId("toast").filter({ hasText: text });

  // The name: a blank one is refused next to the field; a new one reaches the switcher.
  const name = page.getByLabel("Organization name");
  await name.fill(" ");
  await page.getByRole("button", { name: "Save name" }).click();
  await expect(page.getByText("Give the organization a name.")).toBeVisible();
  await name.fill("Rhea's harbour office");
  await page.getByRole("button", { name: "Save name" }).click();
  await expect(toast("Organization renamed.")).toBeVisible();
  await expect(page.getByTestId("org-name")).toHaveText("Rhea's harbour office");

  // Redaction by default: a new collection starts with it on, in the dialog and in the API.
  const redaction = page.getByRole("switch", { name: "Redact personal data by default" });
  await expect(redaction).toHaveAttribute("aria-checked", "false");
  await redaction.click();
  await expect(toast("New collections now redact personal data.")).toBeVisible();
  await expect(redaction).toHaveAttribute("aria-checked", "true");

  // The AI quota: bad input is refused next to the field; one answer a month, local first.
  const quota = page.getByLabel("Monthly answer quota");
  await quota.fill("lots");
  await page.getByRole("button", { name: "Save AI settings" }).click();
  await expect(page.getByText("Enter a whole number")).toBeVisible();
  await quota.fill("1");
  await page.getByLabel("Default AI provider").selectOption("local");
  await page.getByRole("button", { name: "Save AI settings" }).click();
  await expect(toast("AI settings saved.")).toBeVisible();
  await expect(page.getByText("0 of 1 AI answers used this month.")).toBeVisible();
  await screenshotAll(page, "settings-organization-defaults");

  await page.goto("/collections");
  await page.getByRole("button", { name: "New collection" }).click();
  const dialog = page.getByRole("dialog", { name: "New collection" });
  await expect(dialog.getByLabel("Hide personal data from search")).toBeChecked();
  await page.keyboard.press("Escape");
  const created = await page.request.post("/api/collections", {
    headers: { Authorization: `Bearer ${token}` },
    data: { name: "Crew rota" },
  });
  expect(created.status(), await created.text()).toBe(201);
  expect((await created.json()).redact_pii).toBe(true);

  await page.goto("/ask");
  await page.getByLabel("Ask a question").fill("When does the ferry leave?");
  await page.getByRole("button", { name: "Ask", exact: true }).click();
  const first = page.getByTestId("answer").first();
  await expect(first).toHaveAttribute("data-state", "done", { timeout: 60_000 });
  await expect(first.getByTestId("answer-provider")).toHaveText("local");
  await page.getByLabel("Ask a question").fill("And when does it come back?");
  await page.getByRole("button", { name: "Ask", exact: true }).click();
  await expect(page.getByRole("alert").filter({ hasText: "used its 1 AI answers" })).toBeVisible({
    timeout: 30_000,
  });

  await page.goto("/settings/organization");
  await expect(page.getByText("1 of 1 AI answers used this month.")).toBeVisible();
});
