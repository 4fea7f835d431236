import type { APIResponse } from "@playwright/test";
import { expect, PASSWORD, test, uniqueEmail } from "./fixtures";

const IMMUTABLE = "public, max-age=31536000, immutable";

function cacheControl(response: APIResponse): string[] {
  return response
    .headersArray()
    .filter((header) => header.name.toLowerCase() === "cache-control")
    .map((header) => header.value);
}

// What a CDN in front of the gateway may keep (docs/operations.md, "CDN"), as the real
// gateway answers for the built app and the services: the hashed assets for a year, never
// an API answer or a page.
test("built assets are cached for good, API answers and pages are not", async ({ request }) => {
  const signup = await request.post("/api/auth/signup", {
    data: { name: "Cache Check", email: uniqueEmail("cdn"), password: PASSWORD },
  });
  expect(signup.status(), await signup.text()).toBe(201);
  expect(cacheControl(signup)).toEqual(["no-store"]);
  const auth = { Authorization: `Bearer ${(await signup.json()).access_token}` };

  for (const path of ["/api/users/me", "/api/collections", "/api/notifications"]) {
    const answer = await request.get(path, { headers: auth });
    expect(answer.status(), path).toBe(200);
    expect(cacheControl(answer), path).toEqual(["no-store"]);
  }

  const page = await request.get("/collections");
  expect(page.status()).toBe(200);
  const [pageCaching] = cacheControl(page);
  expect(pageCaching).toContain("no-store");
  expect(pageCaching).not.toMatch(/public|s-maxage/);

  const assets = [...(await page.text()).matchAll(/"(\/_next\/static\/[^"?]+\.(?:js|css))"/g)];
  expect(assets.length).toBeGreaterThan(2);
  for (const [, asset] of assets.slice(0, 5)) {
    const answer = await request.get(asset!);
    expect(answer.status(), asset).toBe(200);
    expect(cacheControl(answer), asset).toEqual([IMMUTABLE]);
  }
  // A hashed name that is not there (a deployment rolling out) is not kept either.
  const missing = await request.get("/_next/static/chunks/gone-0000000000000000.js");
  expect(missing.status()).toBe(404);
  expect(cacheControl(missing).join()).toContain("no-store");
});
