import { readFileSync } from "node:fs";
import path from "node:path";
import { expect, screenshotAll, signUpAndOpen, test } from "./fixtures";
import { REPO } from "./stack";

// The one list of the sample workspace, as the app and `sift demo` read it.
const manifest = JSON.parse(readFileSync(path.join(REPO, "samples", "manifest.json"), "utf-8")) as {
  collection: { name: string };
  documents: { file: string; title: string }[];
  questions: { question: string; answer_in: string }[];
};
// The question whose answer the test checks, and where that answer is written.
const QUESTION = "How long are nightly database backups kept?";
const SOURCE = "Database backups and restores";

test("samples: a newcomer loads the sample workspace from the empty state and gets a cited answer to a suggested question", async ({
  page,
}) => {
  test.setTimeout(300_000); // 31 documents through the real ingest worker on a busy machine
  expect(manifest.questions.map((item) => item.question)).toContain(QUESTION);
  expect(manifest.documents.map((document) => document.title)).toContain(SOURCE);
  await signUpAndOpen(page, "Sam Sampler");

  // The empty workspace offers the samples.
  await expect(page.getByRole("heading", { name: "No collections yet" })).toBeVisible();
  const offer = page.getByRole("button", { name: "Try with sample documents" });
  await expect(offer).toBeVisible();
  await screenshotAll(page, "samples-empty");
  const started = Date.now();
  await offer.click();
  await expect(page.getByRole("progressbar", { name: "Loading sample documents" })).toBeVisible();

  // Then the collection opens, holding every sample, each on its way to the index.
  await expect(page).toHaveURL(/\/collections\/[0-9a-f-]{36}$/, { timeout: 120_000 });
  await expect(page.getByRole("heading", { level: 1 })).toContainText(manifest.collection.name);
  await expect(page.getByText(`${manifest.documents.length} sample documents added`)).toBeVisible();
  const rows = page.getByTestId("document-row");
  await expect(rows).toHaveCount(manifest.documents.length);
  for (const file of ["database-backups.md", "expenses.html", "travel-policy.pdf"])
    await expect(rows.filter({ hasText: file })).toHaveCount(1);
  await expect(page.getByRole("button", { name: "Try with sample documents" })).toHaveCount(0);

  // Every format is indexed by the real ingestion path.
  const statuses = rows.getByTestId("document-status");
  await expect(statuses.and(page.locator('[data-status="indexed"]'))).toHaveCount(
    manifest.documents.length,
    { timeout: 240_000 },
  );
  const indexedAfter = Math.round((Date.now() - started) / 1000);
  test.info().annotations.push({ type: "samples indexed after", description: `${indexedAfter} s` });

  // The Ask screen suggests the manifest's questions; one click asks.
  await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Ask" }).click();
  await expect(page.getByText(`Suggested for ${manifest.collection.name}`)).toBeVisible();
  for (const { question } of manifest.questions)
    await expect(page.getByRole("button", { name: question })).toBeVisible();
  await screenshotAll(page, "samples-ask");
  await page.getByRole("button", { name: QUESTION }).click();

  const answer = page.getByTestId("answer").first();
  await expect(answer).toHaveAttribute("data-state", "done", { timeout: 90_000 });
  await expect(answer).toContainText("35 days");
  await expect(answer.getByTestId("answer-provider")).toHaveText("local");
  // Every citation names the document that holds the answer...
  const citations = answer.getByRole("button", { name: /^Citation \d+: / });
  const labels = await citations.evaluateAll((buttons) =>
    buttons.map((button) => button.getAttribute("aria-label")),
  );
  expect(labels.length).toBeGreaterThan(0);
  for (const label of labels) expect(label).toMatch(new RegExp(`^Citation \\d+: ${SOURCE}$`));
  // ...and the one after "35 days" (rendered as its number; a passage cited twice has two
  // buttons) opens the passage that says it, with the quote it was cited for marked.
  const cited = /35 days[^\d]*(\d+)/.exec((await answer.textContent()) ?? "")?.[1];
  expect(cited, "the 35-day sentence is cited").toBeDefined();
  await answer
    .getByRole("button", { name: `Citation ${cited}: ${SOURCE}` })
    .first()
    .click();
  const passage = page.getByRole("dialog", { name: "Cited passage" });
  await expect(passage).toContainText(SOURCE);
  await expect(passage.getByTestId("cited-passage")).toContainText(
    "Nightly backups are kept for 35 days",
  );
  await expect(passage.locator("mark")).toContainText(/backup/i);
  const answeredAfter = Math.round((Date.now() - started) / 1000);
  test.info().annotations.push({ type: "cited answer after", description: `${answeredAfter} s` });
  console.log(`samples: indexed after ${indexedAfter} s, a cited answer after ${answeredAfter} s`);
});
