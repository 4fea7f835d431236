import { createCollection, expect, PASSWORD, signUpAndOpen, test } from "./fixtures";

interface CapturedMail {
  to: string[];
  subject: string;
}

const NEW_PASSWORD = "Copper-kettle-58-softly";

test("preferences: a type switched off does not arrive, while security mail still does", async ({
  page,
  playwright,
  baseURL,
}) => {
  test.setTimeout(240_000); // indexing runs on the real ingest worker
  const account = await signUpAndOpen(page, "Ada Prefs", "/settings/notifications");

  // The matrix: security rows cannot be switched off; "Document ready" is switched off.
  const security = page.getByRole("checkbox", { name: "Security alerts: E-mail" });
  await expect(security).toBeChecked();
  await expect(security).toBeDisabled();
  await expect(page.getByText("Security mail cannot be switched off.").first()).toBeVisible();
  await page.getByRole("checkbox", { name: "Document ready: In-app" }).uncheck();
  await page.getByRole("checkbox", { name: "Document ready: E-mail" }).uncheck();
  await page.getByRole("button", { name: "Save preferences" }).click();
  await expect(page.getByTestId("toast")).toContainText("Notification preferences saved.");
  await page.reload();
  await expect(page.getByRole("checkbox", { name: "Document ready: In-app" })).not.toBeChecked();

  // Trigger that notification through the real stack: upload, ingest, `document.indexed`.
  await page.goto("/collections");
  await createCollection(page, "Quiet reading");
  await page.getByRole("link", { name: /Quiet reading/ }).click();
  await page.getByLabel("Choose files to upload").setInputFiles({
    name: "moss.md",
    mimeType: "text/markdown",
    buffer: Buffer.from("# Moss\n\nMoss grows on the north side of old stone walls.\n"),
  });
  const row = page.getByTestId("document-row").filter({ hasText: "moss.md" });
  await expect(row.getByTestId("document-status")).toHaveAttribute("data-status", "indexed", {
    timeout: 120_000,
  });

  // Then a security event: the password changed (mailed and alerted in-app, locked).
  await page.goto("/settings/security");
  await page.getByLabel("Current password").fill(PASSWORD);
  await page.getByLabel("New password", { exact: true }).fill(NEW_PASSWORD);
  await page.getByLabel("Repeat the new password").fill(NEW_PASSWORD);
  // CI once saw no toast within 15 s and no clue why: wait for the answer itself (two
  // Argon2 hashes on a busy machine), and if it is a refusal, say which.
  const changed = page.waitForResponse(
    (response) =>
      response.url().endsWith("/api/auth/password/change") &&
      response.request().method() === "POST",
    { timeout: 60_000 },
  );
  await page.getByRole("button", { name: "Change password" }).click();
  const answer = await changed;
  // The body only explains a refusal: a 204 has none (and the page may have moved on).
  const refusal = answer.status() === 204 ? "" : await answer.text().catch(() => "");
  expect(answer.status(), refusal).toBe(204);
  await expect(page.getByTestId("toast")).toContainText("Password changed.");

  const mailTo = async () => {
    const response = await page.request.get("/api/dev/mail");
    expect(response.status()).toBe(200);
    const { items } = (await response.json()) as { items: CapturedMail[] };
    return items.filter((mail) => mail.to.includes(account.email)).map((mail) => mail.subject);
  };
  await expect
    .poll(mailTo, { timeout: 60_000, message: "the security mail did not arrive" })
    .toContain("Your Sift password was changed");

  // In-app: the security alert arrived after the indexed document; that one did not.
  const api = await playwright.request.newContext({ baseURL, ignoreHTTPSErrors: true });
  const login = await api.post("/api/auth/login", {
    data: { email: account.email, password: NEW_PASSWORD },
  });
  expect(login.status(), await login.text()).toBe(200);
  const { access_token: token } = (await login.json()) as { access_token: string };
  const types = async () => {
    const response = await api.get("/api/notifications?limit=100", {
      headers: { Authorization: `Bearer ${token}` },
    });
    expect(response.status()).toBe(200);
    const { items } = (await response.json()) as { items: { type: string; title: string }[] };
    return items.map((item) => item.type);
  };
  await expect.poll(types, { timeout: 60_000 }).toContain("security_alert");
  expect(await types()).not.toContain("document_indexed");
  expect((await mailTo()).filter((subject) => subject.includes("ready to search"))).toEqual([]);
  await api.dispose();
});
