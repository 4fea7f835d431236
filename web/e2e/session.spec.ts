import { expect, PASSWORD, signUpAndOpen, test } from "./fixtures";

const LEEWAY_SECONDS = 5; // SIFT_AUTH_LEEWAY_SECONDS: a token is refused this long after `exp`

test("an expired access token is renewed without losing the page; an ended session comes back after signing in", async ({
  page,
  context,
}) => {
  test.setTimeout(240_000);
  // Fake timers in the page, flowing with real time until paused: a paused page is a
  // laptop that slept through its scheduled renewal.
  await page.clock.install();
  const calls: string[] = [];
  page.on("response", (response) => {
    const url = new URL(response.url());
    if (url.pathname.startsWith("/api/"))
      calls.push(`${response.request().method()} ${url.pathname} ${response.status()}`);
  });
  // Read as soon as it arrives: the browser drops a response's body when the page navigates.
  const firstRefresh = page
    .waitForResponse((response) => new URL(response.url()).pathname === "/api/auth/refresh")
    .then((response) => response.json() as Promise<{ expires_in: number }>);
  const account = await signUpAndOpen(page, "Sam Sleeper");
  const { expires_in: lifetime } = await firstRefresh;
  expect(lifetime, "the e2e stack sets SIFT_AUTH_ACCESS_TOKEN_SECONDS=60").toBeLessThanOrEqual(60);

  // Half a form is filled in when the machine sleeps past the token's expiry.
  await page.getByRole("button", { name: "New collection" }).click();
  const dialog = page.getByRole("dialog", { name: "New collection" });
  await dialog.getByLabel("Name").fill("Written before the nap");
  await page.clock.pauseAt(Date.now() + 1_000);
  await new Promise((resolve) => setTimeout(resolve, (lifetime + LEEWAY_SECONDS + 3) * 1000));
  await page.clock.resume();

  // Submitting carries the dead token: refused, renewed through the cookie, replayed.
  calls.length = 0;
  await dialog.getByRole("button", { name: "Create collection" }).click();
  await expect(dialog).toBeHidden();
  await expect(page.getByRole("link", { name: /Written before the nap/ })).toBeVisible();
  expect(calls).toEqual(
    expect.arrayContaining([
      "POST /api/collections 401",
      "POST /api/auth/refresh 200",
      "POST /api/collections 201",
    ]),
  );
  expect(calls.indexOf("POST /api/collections 401")).toBeLessThan(
    calls.indexOf("POST /api/collections 201"),
  );
  await expect(page).toHaveURL(/\/collections$/);

  // The refresh cookie itself expires (the browser drops it): at its next renewal the page
  // sends the user to sign in, and signing in returns to the same page and query.
  await page.goto("/search?q=nap&mode=fulltext");
  await expect(page.getByLabel("Search your documents")).toHaveValue("nap");
  await context.clearCookies();
  await page.clock.fastForward(lifetime * 1000);
  await expect(page).toHaveURL(/\/sign-in\?next=%2Fsearch%3Fq%3Dnap%26mode%3Dfulltext$/);
  await page.getByLabel("E-mail").fill(account.email);
  await page.getByLabel("Password").fill(PASSWORD);
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page).toHaveURL(/\/search\?q=nap&mode=fulltext$/);
  await expect(page.getByLabel("Search your documents")).toHaveValue("nap");
  await expect(page.getByRole("button", { name: "Account menu" })).toBeVisible();
});

test("tabs opened together renew one at a time and all stay signed in", async ({
  page,
  context,
}) => {
  await signUpAndOpen(page, "Tabitha Tabs");
  const refreshes: number[] = [];
  const tabs = await Promise.all([context.newPage(), context.newPage(), context.newPage()]);
  for (const tab of tabs)
    tab.on("response", (response) => {
      if (new URL(response.url()).pathname === "/api/auth/refresh")
        refreshes.push(response.status());
    });
  // A restored browser session: every tab boots at once and trades the shared refresh
  // cookie for its own access token. Sent together, all but one would reuse a rotated token
  // and revoke the session. Renewals are held until every tab has sent one (or 1.5 s went
  // by), so that tabs which do not wait for each other really collide.
  const held: Array<() => void> = [];
  await context.route("**/api/auth/refresh", async (route) => {
    await new Promise<void>((release) => {
      held.push(release);
      if (held.length >= tabs.length) for (const go of held.splice(0)) go();
      else setTimeout(release, 1_500);
    });
    await route.continue();
  });
  await Promise.all(tabs.map((tab) => tab.goto("/collections")));
  for (const tab of tabs)
    await expect(tab.getByRole("button", { name: "Account menu" })).toBeVisible();
  expect(refreshes).toEqual([200, 200, 200]);

  // The session is still alive for a tab opened afterwards.
  await context.unroute("**/api/auth/refresh");
  await page.reload();
  await expect(page.getByRole("button", { name: "Account menu" })).toBeVisible();
  await expect(page).toHaveURL(/\/collections$/);
});
