import { expect, signUpAndOpen, test } from "./fixtures";

interface CapturedSms {
  to: string;
  body: string;
}

test("phone: a number verified with the texted code makes the SMS column usable", async ({
  page,
}) => {
  await signUpAndOpen(page, "Pia Phone", "/settings/notifications");
  const smsReady = page.getByRole("checkbox", { name: "Document ready: SMS" });
  await expect(smsReady).toBeDisabled();
  await expect(smsReady).toHaveAttribute(
    "title",
    "Verify a phone number above to get text messages.",
  );

  // Not in international form: the server's 422, next to the field.
  const number = page.getByLabel("Mobile number");
  await number.fill("0151 1234");
  await page.getByRole("button", { name: "Text me a code" }).click();
  await expect(page.getByText("international form").first()).toBeVisible();

  // A number of this run's own: the development profile keeps the text at /api/dev/sms.
  const digits = String(Date.now()).slice(-7);
  const e164 = `+1555${digits}`;
  await number.fill(`+1 555 ${digits}`);
  await page.getByRole("button", { name: "Text me a code" }).click();
  const codeField = page.getByLabel("Code");
  await expect(codeField).toBeVisible();
  const code = async () => {
    const response = await page.request.get("/api/dev/sms");
    expect(response.status()).toBe(200);
    const { items } = (await response.json()) as { items: CapturedSms[] };
    const text = items.find((item) => item.to === e164);
    return text?.body.match(/\b(\d{6})\b/)?.[1] ?? null;
  };
  await expect.poll(code, { timeout: 30_000 }).not.toBeNull();
  await codeField.fill((await code())!);
  await page.getByRole("button", { name: "Verify" }).click();
  await expect(page.getByTestId("verified-phone")).toHaveText(`+15*****${digits.slice(-4)}`);

  // Now texts can be chosen, for the types a text can carry.
  await expect(smsReady).toBeEnabled();
  await expect(page.getByRole("checkbox", { name: "Account e-mails: SMS" })).toBeDisabled();
  await expect(page.getByRole("checkbox", { name: "Security alerts: SMS" })).toBeChecked();
  await smsReady.check();
  await page.getByRole("button", { name: "Save preferences" }).click();
  await expect(page.getByTestId("toast").first()).toContainText("Notification preferences saved.");
  await page.reload();
  await expect(page.getByRole("checkbox", { name: "Document ready: SMS" })).toBeChecked();

  // Removing the number switches SMS off again.
  await page.getByRole("button", { name: "Remove number" }).click();
  await page.getByRole("button", { name: "Remove", exact: true }).click();
  await expect(page.getByLabel("Mobile number")).toBeVisible();
  const after = page.getByRole("checkbox", { name: "Document ready: SMS" });
  await expect(after).toBeDisabled();
  await expect(after).not.toBeChecked();
});
