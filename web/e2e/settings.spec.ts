import {
  expect,
  mailedLinkPath,
  PASSWORD,
  screenshotAll,
  signUpAndOpen,
  test,
  totp,
} from "./fixtures";

test("settings: profile, sessions, API keys, two-step verification and signing in with it", async ({
  page,
  playwright,
  baseURL,
}) => {
  test.setTimeout(120_000);
  const account = await signUpAndOpen(page, "Grace Hopper", "/settings");

  // Profile: a rename is saved and shows in the account menu.
  await expect(page.getByRole("heading", { name: "Settings" })).toBeVisible();
  await page.getByLabel("Name").fill("Grace B. Hopper");
  await page.getByRole("button", { name: "Save profile" }).click();
  await expect(page.getByTestId("toast")).toContainText("Profile saved.");
  await expect(page.getByRole("button", { name: "Account menu" })).toHaveText("GB");
  await screenshotAll(page, "settings-profile");

  // Sessions: a sign-in elsewhere appears and can be signed out.
  const elsewhere = await playwright.request.newContext({ baseURL, ignoreHTTPSErrors: true });
  const login = await elsewhere.post("/api/auth/login", {
    data: { email: account.email, password: PASSWORD },
    headers: { "User-Agent": "Mozilla/5.0 (Windows NT 10.0) Firefox/128.0" },
  });
  expect(login.status()).toBe(200);
  await page
    .getByRole("navigation", { name: "Settings" })
    .getByRole("link", { name: "Sessions" })
    .click();
  const rows = page.getByTestId("session-row");
  await expect(rows).toHaveCount(2);
  await expect(rows.filter({ hasText: "This device" })).toHaveCount(1);
  await screenshotAll(page, "settings-sessions");
  await rows
    .filter({ hasText: "Firefox on Windows" })
    .getByRole("button", { name: /^Sign out/ })
    .click();
  await expect(rows).toHaveCount(1);
  const refreshed = await elsewhere.post("/api/auth/refresh", {
    headers: {
      Origin: baseURL!,
      "X-CSRF-Token":
        (await elsewhere.storageState()).cookies.find((c) => c.name === "sift_csrf")?.value ?? "",
    },
  });
  expect(refreshed.status()).toBe(401); // that session is over
  await elsewhere.dispose();

  // API keys (the personal organization's owner is an admin): the secret is shown once.
  await page.getByRole("link", { name: "API keys" }).click();
  await page.getByRole("button", { name: "New API key" }).click();
  const keyDialog = page.getByRole("dialog", { name: "New API key" });
  await keyDialog.getByLabel("Name").fill("Nightly export");
  await keyDialog.getByRole("button", { name: "Create key" }).click();
  await expect(page.getByTestId("api-key-secret")).toContainText(/^sift_/);
  await page.getByRole("button", { name: "Done" }).click();
  const keyRow = page.getByTestId("api-key-row").filter({ hasText: "Nightly export" });
  await expect(keyRow).toBeVisible();
  await screenshotAll(page, "settings-api-keys");
  await keyRow.getByRole("button", { name: "Revoke Nightly export" }).click();
  await page.getByRole("dialog").getByRole("button", { name: "Revoke key" }).click();
  await expect(keyRow).toBeHidden();

  // Two-step verification: password, QR code, a code from the "app", recovery codes.
  await page.getByRole("link", { name: "Password & two-step" }).click();
  await page.getByRole("button", { name: "Set up authenticator app" }).click();
  const mfa = page.getByRole("dialog", { name: "Set up an authenticator app" });
  await mfa.getByLabel("Password").fill("wrong-password-123");
  await mfa.getByRole("button", { name: "Continue" }).click();
  await expect(mfa.getByRole("alert")).toBeVisible();
  await expect(mfa.getByRole("alert")).not.toContainText("{");
  await mfa.getByLabel("Password").fill(PASSWORD);
  await mfa.getByRole("button", { name: "Continue" }).click();
  await expect(mfa.getByRole("img", { name: "QR code for your authenticator app" })).toBeVisible();
  const secret = (await mfa.getByTestId("totp-secret").textContent())!.trim();
  await mfa.getByLabel("Code from the app").fill(totp(secret));
  await mfa.getByRole("button", { name: "Turn on" }).click();
  const codes = mfa.getByRole("list", { name: "Recovery codes" }).getByRole("listitem");
  await expect(codes).toHaveCount(10);
  const recovery = (await codes.first().textContent())!.trim();
  await mfa.getByRole("button", { name: "Done" }).click();
  await expect(page.getByRole("region", { name: "Two-step verification" })).toContainText("On");

  // Signing in now asks for a code; a recovery code works.
  await page.getByRole("button", { name: "Account menu" }).click();
  await page.getByRole("menuitem", { name: "Sign out", exact: true }).click();
  await expect(page).toHaveURL(/\/sign-in$/);
  await page.getByLabel("E-mail").fill(account.email);
  await page.getByLabel("Password").fill(PASSWORD);
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page.getByLabel("Authentication code")).toBeVisible();
  await screenshotAll(page, "sign-in-mfa");
  await page.getByLabel("Authentication code").fill(recovery);
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page).toHaveURL(/\/collections$/);

  // Sign out everywhere ends this session too.
  await page.getByRole("button", { name: "Account menu" }).click();
  await page.getByRole("menuitem", { name: "Sign out everywhere" }).click();
  await expect(page).toHaveURL(/\/sign-in/);
  await page.goto("/settings");
  await expect(page).toHaveURL(/\/sign-in\?next=%2Fsettings/);
});

test("forgot and reset password pages explain themselves", async ({ page }) => {
  await page.goto("/sign-in");
  await page.getByRole("link", { name: "Forgot your password?" }).click();
  await expect(page.getByRole("heading", { name: "Forgot your password?" })).toBeVisible();
  await page.getByLabel("E-mail").fill("nobody-here@example.com");
  await page.getByRole("button", { name: "Send reset link" }).click();
  await expect(page.getByRole("status").filter({ hasText: "Check your inbox" })).toBeVisible();

  await page.goto("/reset-password?token=not-a-real-token-0123456789");
  await page.getByLabel("New password", { exact: true }).fill(PASSWORD);
  await page.getByLabel("Repeat the new password").fill(`${PASSWORD}-typo`);
  await page.getByRole("button", { name: "Set new password" }).click();
  await expect(page.getByText("The two passwords do not match.")).toBeVisible();
  await page.getByLabel("Repeat the new password").fill(PASSWORD);
  await page.getByRole("button", { name: "Set new password" }).click();
  await expect(page.getByRole("main").getByRole("alert")).toBeVisible();
  await expect(page.getByRole("main").getByRole("alert")).not.toContainText("{");

  await page.goto("/verify-email?token=not-a-real-token-0123456789");
  const refusal = page.getByRole("main").getByRole("alert");
  await expect(refusal).toBeVisible();
  await expect(refusal).not.toContainText("{");
});

test("the sign-up mail verifies the address; a forgotten password is reset from its mail", async ({
  page,
  browser,
  baseURL,
}) => {
  const { email } = await signUpAndOpen(page, "Rita Reset");
  await page.goto(await mailedLinkPath(page.request, email, "/verify-email"));
  await expect(
    page.getByRole("status").filter({ hasText: "Your e-mail is verified" }),
  ).toBeVisible();

  const stranger = await browser.newContext({ baseURL, ignoreHTTPSErrors: true });
  const forgetful = await stranger.newPage();
  await forgetful.goto("/forgot-password");
  await forgetful.getByLabel("E-mail").fill(email);
  await forgetful.getByRole("button", { name: "Send reset link" }).click();
  await expect(forgetful.getByRole("status").filter({ hasText: "Check your inbox" })).toBeVisible();

  await forgetful.goto(await mailedLinkPath(forgetful.request, email, "/reset-password"));
  const renewed = `${PASSWORD}-renewed`;
  await forgetful.getByLabel("New password", { exact: true }).fill(renewed);
  await forgetful.getByLabel("Repeat the new password").fill(renewed);
  await forgetful.getByRole("button", { name: "Set new password" }).click();
  await expect(forgetful.getByRole("status").filter({ hasText: "Password changed" })).toBeVisible();

  await forgetful.getByRole("link", { name: "Sign in with your new password" }).click();
  await forgetful.getByLabel("E-mail").fill(email);
  await forgetful.getByLabel("Password").fill(renewed);
  await forgetful.getByRole("button", { name: "Sign in" }).click();
  await expect(forgetful).toHaveURL(/\/collections$/);
  await stranger.close();
});
