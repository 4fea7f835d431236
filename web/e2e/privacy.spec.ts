import { readFile } from "node:fs/promises";
import {
  createCollection,
  expect,
  mailedLinkPath,
  PASSWORD,
  screenshotAll,
  signUpAndOpen,
  test,
} from "./fixtures";

test("privacy center: a person downloads their data, then deletes their account; their team's admin sees the receipt", async ({
  page,
  browser,
  playwright,
  baseURL,
}) => {
  test.setTimeout(360_000); // every service answers through the real consumers
  const account = await signUpAndOpen(page, "Ivy Lindqvist", "/collections");
  await createCollection(page, "Garden notes");
  await page.getByRole("link", { name: /Garden notes/ }).click();
  await expect(page.getByRole("heading", { name: "Garden notes" })).toBeVisible();
  await page.getByLabel("Choose files to upload").setInputFiles({
    name: "seed-list.txt",
    mimeType: "text/plain",
    buffer: Buffer.from("Tomato seeds go in the greenhouse in March.\n"),
  });
  await expect(page.getByTestId("document-row").filter({ hasText: "seed-list.txt" })).toBeVisible();

  // Download my data: each service's part is gathered, then the archive is offered.
  await page.goto("/settings/privacy");
  await expect(page.getByRole("heading", { name: "Download your data" })).toBeVisible();
  await page.getByRole("button", { name: "Download my data" }).click();
  await expect(page.getByTestId("export-part")).toHaveCount(6);
  const archiveLink = page.getByRole("link", { name: "Download archive" });
  await expect(archiveLink).toBeVisible({ timeout: 120_000 });
  await expect(page.getByText("Gathering")).toHaveCount(0);
  await screenshotAll(page, "settings-privacy");
  const [download] = await Promise.all([page.waitForEvent("download"), archiveLink.click()]);
  const archive = await readFile((await download.path())!);
  expect(archive.subarray(0, 2).toString()).toBe("PK"); // a ZIP
  for (const name of ["README.md", "identity/profile.json", "documents/documents.json"])
    expect(archive.includes(Buffer.from(name)), name).toBe(true);
  expect(archive.includes(Buffer.from("documents/files/"))).toBe(true); // the original file

  // She belongs to a team too: its admin invites her and she joins.
  const adminContext = await browser.newContext({ baseURL, ignoreHTTPSErrors: true });
  const admin = await adminContext.newPage();
  await signUpAndOpen(admin, "Alma Admin", "/members");
  await admin.getByRole("button", { name: "Invite member" }).click();
  const invite = admin.getByRole("dialog", { name: "Invite a member" });
  await invite.getByLabel("E-mail").fill(account.email);
  await invite.getByLabel("Role").selectOption("editor");
  await invite.getByRole("button", { name: "Send invitation" }).click();
  await expect(admin.getByTestId("toast")).toContainText(`Invitation sent to ${account.email}.`);
  await page.goto(await mailedLinkPath(admin.request, account.email, "/invitations"));
  await page.getByRole("button", { name: "Accept invitation" }).click();
  await expect(page.getByTestId("toast")).toContainText("You joined");
  await page.goto("/settings/privacy");

  // Delete my account: the consequences are spelled out; a wrong password changes nothing.
  await expect(page.getByText("This cannot be undone.", { exact: false })).toBeVisible();
  await page.getByRole("button", { name: "Delete account…" }).click();
  const dialog = page.getByRole("dialog", { name: "Delete your account?" });
  await dialog.getByLabel("Password").fill("not-my-password-42");
  await dialog.getByRole("button", { name: "Delete my account" }).click();
  await expect(dialog.getByRole("alert")).toBeVisible();
  await expect(dialog.getByRole("alert")).not.toContainText("{");
  await dialog.getByLabel("Password").fill(PASSWORD);
  await dialog.getByRole("button", { name: "Delete my account" }).click();
  await expect(page).toHaveURL(/\/sign-in/);

  // Once every service has answered, the account is gone: signing in fails.
  const outside = await playwright.request.newContext({ baseURL, ignoreHTTPSErrors: true });
  await expect
    .poll(
      async () =>
        (
          await outside.post("/api/auth/login", {
            data: { email: account.email, password: PASSWORD },
          })
        ).status(),
      { timeout: 120_000, intervals: [1000] },
    )
    .toBe(401);
  await outside.dispose();

  // The team's admin filters the audit log for the erasure and reads its receipt: counts
  // per service, nobody's name.
  await admin.goto("/settings/audit");
  const log = admin.getByRole("region", { name: "Audit log" });
  await log.getByLabel("Action", { exact: true }).fill("privacy.member_erased");
  const rows = log.getByTestId("audit-row");
  await expect(async () => {
    await log.getByRole("button", { name: "Apply filters" }).click();
    await expect(rows.first()).toContainText("privacy.member_erased", { timeout: 2_000 });
  }).toPass({ timeout: 60_000 });
  await expect(rows).toHaveCount(1);
  await expect(rows.first().getByTestId("audit-receipt")).toContainText(
    /Receipt: \d+ erased, \d+ anonymized across 5 services/,
  );
  await expect(rows.first()).not.toContainText(account.email);
  await expect(rows.first()).not.toContainText("Ivy");
  await adminContext.close();
});

test("privacy center: a consent choice survives a reload and shows in the history", async ({
  page,
}) => {
  await signUpAndOpen(page, "Oskar Brennan", "/settings/privacy");
  const card = page.getByRole("region", { name: "Consent choices" });
  const productEmail = card.getByRole("switch", { name: "Product e-mail" });
  const analytics = card.getByRole("switch", { name: "Analytics cookies" });
  // No choice yet: analytics cookies off, product e-mail on.
  await expect(productEmail).toHaveAttribute("aria-checked", "true");
  await expect(analytics).toHaveAttribute("aria-checked", "false");
  await expect(card.getByText("No choice made yet", { exact: false })).toBeVisible();

  await productEmail.click();
  await expect(productEmail).toHaveAttribute("aria-checked", "false");
  const history = card.getByRole("list", { name: "Consent history" });
  await expect(history.getByTestId("consent-history-entry")).toHaveText([
    /Product e-mail withdrawn/,
  ]);

  await page.reload();
  await expect(productEmail).toHaveAttribute("aria-checked", "false");
  await expect(analytics).toHaveAttribute("aria-checked", "false");
  await expect(history.getByTestId("consent-history-entry")).toHaveText([
    /Product e-mail withdrawn/,
  ]);

  // Granted again: the newest choice comes first.
  await productEmail.click();
  await expect(productEmail).toHaveAttribute("aria-checked", "true");
  await expect(history.getByTestId("consent-history-entry")).toHaveText([
    /Product e-mail allowed/,
    /Product e-mail withdrawn/,
  ]);
});
