import path from "node:path";
import type { Page } from "@playwright/test";
import {
  createCollection,
  expect,
  FILES,
  PASSWORD,
  screenshotAll,
  signUpAndOpen,
  test,
} from "./fixtures";

const NOTES = `# Quillon Point lighthouse

The Quillon Point lighthouse was built from pink granite in 1887.

In 1911 the keeper Okonkwo Baptiste painted the lamp room cobalt blue to confuse the gulls.
`;

/** What the journey below does today, as the dashboard and the CSV must count it. */
const EXPECTED = {
  "active-users": 1,
  uploads: 2,
  indexed: 1,
  failed: 1,
  searches: 2,
  answers: 1,
} as const;

/** A CSV export as the API returns it: one row per bucket, the column sums over the range. */
function columnSums(csv: string): Record<string, number> {
  const [head, ...rows] = csv.trim().split("\n");
  const names = head!.split(",");
  const sums: Record<string, number> = Object.fromEntries(names.slice(1).map((name) => [name, 0]));
  for (const row of rows) {
    const cells = row.split(",");
    names.slice(1).forEach((name, index) => (sums[name]! += Number(cells[index + 1])));
  }
  return sums;
}

/** The dashboard's number of `stat`, as its data-value says. */
const statValue = (page: Page, stat: string) =>
  page.getByTestId(`stat-${stat}`).first().getAttribute("data-value");

test("after uploads, searches, a question and a thumbs-down, the dashboard and its CSV count them for today", async ({
  page,
}) => {
  test.setTimeout(360_000); // indexing, the first answer and the roll-ups run on real workers
  const owner = await signUpAndOpen(page, "Dara Dashboard");

  // Two uploads: one is indexed, the other (a password-protected PDF) fails.
  await createCollection(page, "Lighthouse logs");
  await page.getByRole("link", { name: /Lighthouse logs/ }).click();
  await page.getByLabel("Choose files to upload").setInputFiles({
    name: "quillon-point.md",
    mimeType: "text/markdown",
    buffer: Buffer.from(NOTES),
  });
  const notes = page.getByTestId("document-row").filter({ hasText: "quillon-point.md" });
  await expect(notes.getByTestId("document-status")).toHaveAttribute("data-status", "indexed", {
    timeout: 90_000,
  });
  await page
    .getByLabel("Choose files to upload")
    .setInputFiles(path.join(FILES, "locked-plans.pdf"));
  const locked = page.getByTestId("document-row").filter({ hasText: "locked-plans.pdf" });
  await expect(locked.getByTestId("document-status")).toHaveAttribute("data-status", "failed", {
    timeout: 90_000,
  });

  // Two searches: one finds the notes, the other nothing.
  await page.goto("/search?q=cobalt+blue&mode=fulltext");
  await expect(page.getByTestId("search-result").first()).toBeVisible({ timeout: 90_000 });
  await page.goto("/search?q=zzzqqqxxx&mode=fulltext");
  await expect(page.getByText("No results for “zzzqqqxxx”")).toBeVisible({ timeout: 90_000 });

  // A question, and a thumbs-down on its answer.
  await page.goto("/ask");
  await page
    .getByLabel("Ask a question")
    .fill("What color was the lamp room painted by Okonkwo Baptiste?");
  await page.getByRole("button", { name: "Ask", exact: true }).click();
  const answer = page.getByTestId("answer").first();
  await expect(answer).toHaveAttribute("data-state", "done", { timeout: 120_000 });
  const feedback = page.waitForResponse(
    (response) => response.url().includes("/feedback") && response.status() === 200,
  );
  await answer.getByRole("button", { name: "Thumbs down" }).click();
  await feedback;

  // The owner opens the dashboard from the settings and picks today.
  await page.goto("/settings");
  await page
    .getByRole("navigation", { name: "Settings" })
    .getByRole("link", { name: "Analytics" })
    .click();
  await expect(page).toHaveURL(/\/settings\/analytics$/);
  await page
    .getByRole("group", { name: "Date range" })
    .getByRole("button", { name: "Today" })
    .click();
  await expect(page.getByRole("region", { name: "Analytics", exact: true })).toContainText(
    "by the hour",
  );

  // The roll-ups follow the events a moment later: refresh until every number is there.
  const glance = page.getByRole("region", { name: "At a glance" });
  const assistant = page.getByRole("region", { name: "AI answers" });
  await expect(async () => {
    await page.getByRole("button", { name: "Refresh" }).click();
    for (const [stat, value] of Object.entries(EXPECTED))
      await expect(glance.getByTestId(`stat-${stat}`)).toHaveAttribute(
        "data-value",
        String(value),
        {
          timeout: 2_000,
        },
      );
    await expect(glance.getByTestId("stat-zero-result-rate")).toHaveAttribute("data-value", "0.5", {
      timeout: 2_000,
    });
    await expect(assistant.getByTestId("stat-thumbs-down")).toHaveAttribute("data-value", "1", {
      timeout: 2_000,
    });
  }).toPass({ timeout: 120_000, intervals: [2_000] });

  // The charts say the same: their legends carry the range's totals.
  const search = page.getByRole("region", { name: "Search", exact: true });
  await expect(search.getByTestId("legend-fulltext")).toContainText("Full text: 2");
  await expect(search.getByTestId("legend-zero_result_rate")).toContainText("50%");
  await expect(search.getByTestId("mode-row")).toContainText(["Full text2150%"]);
  await expect(assistant.getByTestId("legend-answers")).toContainText("Answers: 1");
  await expect(assistant.getByTestId("provider-row")).toContainText(["local"]);
  const ingestion = page.getByRole("region", { name: "Ingestion" });
  await expect(ingestion.getByTestId("legend-indexed")).toContainText("Indexed: 1");
  await expect(ingestion.getByTestId("legend-failed")).toContainText("Failed: 1");
  await expect(ingestion.getByTestId("failure-reason")).toHaveText(["Password-protected PDF1"]);
  await expect(page.locator(".recharts-surface").first()).toBeVisible();

  // The export button hands over the overview's CSV.
  const download = page.waitForEvent("download");
  await page.getByRole("button", { name: "Export overview as CSV" }).click();
  expect((await download).suggestedFilename()).toBe("analytics-overview.csv");

  // The CSV exports, fetched with the owner's session, carry the same numbers for today.
  const login = await page.request.post("/api/auth/login", {
    data: { email: owner.email, password: PASSWORD },
  });
  expect(login.status(), await login.text()).toBe(200);
  const token = (await login.json()).access_token as string;
  const dayStart = new Date();
  dayStart.setUTCHours(0, 0, 0, 0);
  const query = {
    format: "csv",
    from: dayStart.toISOString(),
    to: new Date(dayStart.getTime() + 86_400_000).toISOString(),
    interval: "hour",
  };
  const exportCsv = async (area: string) => {
    const response = await page.request.get(`/api/analytics/${area}/export`, {
      params: query,
      headers: { Authorization: `Bearer ${token}` },
    });
    expect(response.status(), await response.text()).toBe(200);
    expect(response.headers()["content-type"]).toContain("text/csv");
    return columnSums(await response.text());
  };
  const overview = await exportCsv("overview");
  for (const stat of ["uploads", "indexed", "failed", "searches", "answers"] as const) {
    expect(overview[stat], stat).toBe(EXPECTED[stat]);
    expect(String(overview[stat])).toBe(await statValue(page, stat));
  }
  const searchCsv = await exportCsv("search");
  expect(searchCsv).toMatchObject({ searches: 2, zero_results: 1, fulltext: 2 });
  const assistantCsv = await exportCsv("assistant");
  expect(assistantCsv).toMatchObject({ answers: 1, feedback_down: 1, feedback_up: 0 });
  const ingestionCsv = await exportCsv("ingestion");
  expect(ingestionCsv).toMatchObject({ uploads: 2, indexed: 1, failed: 1 });

  await screenshotAll(page, "analytics-dashboard");
});
