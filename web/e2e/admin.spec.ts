import path from "node:path";
import {
  createCollection,
  expect,
  FILES,
  mailedLinkPath,
  PASSWORD,
  screenshotAll,
  signUpAndOpen,
  test,
  uniqueEmail,
} from "./fixtures";
import { makePdf } from "./pdf";

test("the ingestion monitor shows a password-protected PDF; a retry and a fixed version work", async ({
  page,
}) => {
  test.setTimeout(300_000); // indexing runs on the real ingest worker
  await signUpAndOpen(page, "Ines Ingest");
  await createCollection(page, "Harbor plans");
  await page.getByRole("link", { name: /Harbor plans/ }).click();
  await page
    .getByLabel("Choose files to upload")
    .setInputFiles(path.join(FILES, "locked-plans.pdf"));
  const row = page.getByTestId("document-row").filter({ hasText: "locked-plans.pdf" });
  await expect(row.getByTestId("document-status")).toHaveAttribute("data-status", "failed", {
    timeout: 90_000,
  });

  await page.goto("/settings");
  await page
    .getByRole("navigation", { name: "Settings" })
    .getByRole("link", { name: "Ingestion" })
    .click();
  await expect(page).toHaveURL(/\/settings\/ingestion$/);
  const failed = page.getByTestId("failed-document").filter({ hasText: "locked-plans" });
  await expect(failed).toContainText("Password-protected PDF");
  await expect(failed).toContainText("password-protected");
  await expect(page.getByRole("list", { name: "Failures by reason" })).toContainText(
    "Password-protected PDF: 1",
  );
  await screenshotAll(page, "ingestion-monitor");

  // Retry as it is: queued again, and it fails again for the same reason.
  await failed.getByRole("button", { name: /Retry/ }).click();
  await expect(page.getByTestId("toast").filter({ hasText: "queued again" })).toBeVisible();
  await expect(failed).toContainText("Password-protected PDF", { timeout: 90_000 });

  // A fixed copy as a new version: indexed, and the failure leaves the monitor.
  await failed.getByRole("link").click();
  await expect(page).toHaveURL(/\/documents\/[0-9a-f-]+$/);
  await page.getByLabel("Choose a new version").setInputFiles({
    name: "plans.pdf",
    mimeType: "application/pdf",
    buffer: makePdf([["Harbor expansion plans, phase two."]]),
  });
  await expect(page.getByTestId("version-row")).toHaveCount(2);
  await page.goto("/settings/ingestion");
  await expect(page.getByText("Nothing failed.")).toBeVisible({ timeout: 90_000 });

  // Re-index the collection and follow it to the end.
  const reindex = page.getByRole("region", { name: "Re-index a collection" });
  await reindex.getByLabel("Collection").selectOption({ label: "Harbor plans" });
  await reindex.getByRole("button", { name: "Re-index collection" }).click();
  await page.getByRole("dialog").getByRole("button", { name: "Re-index" }).click();
  await expect(page.getByTestId("toast").filter({ hasText: "1 document queued." })).toBeVisible();
  await expect(reindex.getByTestId("reindex-progress")).toContainText("1 of 1 done", {
    timeout: 90_000,
  });
  await expect(reindex.getByRole("progressbar")).toHaveAttribute("aria-valuenow", "100");
});

test("an admin resends and revokes an invitation; the revoked link no longer works", async ({
  page,
  browser,
  baseURL,
}) => {
  test.setTimeout(180_000);
  await signUpAndOpen(page, "Maya Members", "/members");
  const email = uniqueEmail("guest");
  await page.getByRole("button", { name: "Invite member" }).click();
  const invite = page.getByRole("dialog", { name: "Invite a member" });
  await invite.getByLabel("E-mail").fill(email);
  await invite.getByLabel("Role").selectOption("editor");
  await invite.getByRole("button", { name: "Send invitation" }).click();
  await expect(page.getByTestId("toast")).toContainText(`Invitation sent to ${email}.`);

  const pending = page.getByTestId("invitation-row").filter({ hasText: email });
  await expect(pending).toContainText("Editor");
  await pending.getByRole("button", { name: `Resend the invitation to ${email}` }).click();
  await expect(
    page.getByTestId("toast").filter({ hasText: `Invitation sent again to ${email}.` }),
  ).toBeVisible();
  const link = await mailedLinkPath(page.request, email, "/invitations");
  await screenshotAll(page, "members-invitations");

  await pending.getByRole("button", { name: `Revoke the invitation to ${email}` }).click();
  await page.getByRole("dialog").getByRole("button", { name: "Revoke invitation" }).click();
  await expect(page.getByTestId("toast").filter({ hasText: "Invitation revoked." })).toBeVisible();
  await expect(pending).toHaveCount(0);
  await expect(page.getByText("No pending invitations.")).toBeVisible();

  // The invited person signs up with that address: the link of the mail is dead.
  const guestContext = await browser.newContext({ baseURL, ignoreHTTPSErrors: true });
  const guest = await guestContext.newPage();
  const signup = await guest.request.post("/api/auth/signup", {
    data: { name: "Gus Guest", email, password: PASSWORD },
  });
  expect(signup.status()).toBe(201);
  await guest.goto(link);
  await guest.getByRole("button", { name: "Accept invitation" }).click();
  await expect(guest.getByText(/invalid, was already used or has expired/)).toBeVisible();
  await guestContext.close();
});
