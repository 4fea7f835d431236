import path from "node:path";
import type { Locator, Page } from "@playwright/test";
import {
  createCollection,
  expect,
  expectIndexed,
  FILES,
  screenshotAll,
  signUpAndOpen,
  test,
} from "./fixtures";
import { makePdf } from "./pdf";

// A short two-page document is one chunk spanning both pages: the phrase is on page 2.
const LEDGER = makePdf([
  [
    "Harbour Weather Notes",
    "Grey gulls circle the breakwater when the westerly wind rises.",
    "Fishing boats return before the afternoon squalls reach the bay.",
  ],
  [
    "Keeper's Records",
    "The cobalt lighthouse ledger records that keeper Maren Holt lit the lamp in 1887.",
    "She kept the ledger in a tin box beside the spiral stair.",
  ],
]);

// Forty pages, the phrase on page 31: the viewer draws only the pages near the reader.
const ALMANAC = makePdf(
  Array.from({ length: 40 }, (_, index) =>
    index === 30
      ? ["Chapter 31", "The vermilion orrery chimes once at every neap."]
      : [`Chapter ${index + 1}`, `Tide table ${index + 1} lists the hours of high water.`],
  ),
);

async function uploadAndIndex(page: Page, file: Parameters<Page["setInputFiles"]>[1]) {
  const name = `Viewer ${Date.now()}`;
  await createCollection(page, name);
  await page.getByRole("link", { name: new RegExp(name) }).click();
  await page.getByLabel("Choose files to upload").setInputFiles(file);
}

/**
 * A full-text search for a phrase of an indexed document; the first hit. In-app navigation,
 * no page loads: each load renews the session through the refresh cookie, and a renewal cut
 * off by the next load (a busy machine) costs the session.
 */
async function searchFor(page: Page, phrase: string): Promise<Locator> {
  await page.getByRole("link", { name: "Search", exact: true }).click();
  await page.getByRole("radio", { name: /Full text/ }).click();
  await page.getByLabel("Search your documents").fill(phrase);
  await page.getByRole("button", { name: "Search", exact: true }).click();
  const hit = page.getByTestId("search-result").filter({ hasText: new RegExp(phrase, "i") });
  await expect(hit.first()).toBeVisible({ timeout: 60_000 });
  return hit.first();
}

/**
 * The PDF page the viewer shows the passage at ("Passage on page N"), once it is drawn with
 * the passage marked and scrolled to, and the words marked on it. (A passage running over a
 * page break is marked on both pages; it is shown at the page the link names.)
 */
async function shownPassage(page: Page): Promise<{ number: string; text: string }> {
  await expect(page.getByTestId("passage-page")).toHaveText(/^Passage on page \d+$/, {
    timeout: 30_000,
  });
  const number = (await page.getByTestId("passage-page").textContent())!.replace(/\D+/g, "");
  const shown = page.locator(`[data-testid="pdf-page"][data-page="${number}"]`);
  await expect(shown).toHaveAttribute("data-rendered", "true");
  await expect(shown.locator("mark").first()).toBeInViewport();
  return { number, text: (await shown.locator("mark").allTextContents()).join("") };
}

test("a search result and a citation open the PDF at page 2 with the passage marked", async ({
  page,
  baseURL,
}) => {
  test.setTimeout(420_000); // indexing and the first answer run on real, slow workers
  // pdf.js, its worker and its assets come from our own origin: nothing else is fetched.
  const elsewhere: string[] = [];
  const origin = new URL(baseURL!).origin;
  page.on("request", (request) => {
    const url = new URL(request.url());
    if (/^https?:$/.test(url.protocol) && url.origin !== origin) elsewhere.push(request.url());
  });
  await signUpAndOpen(page, "Vera Viewer");
  await uploadAndIndex(page, [
    { name: "lighthouse-ledger.pdf", mimeType: "application/pdf", buffer: LEDGER },
    { name: "tide-almanac.pdf", mimeType: "application/pdf", buffer: ALMANAC },
  ]);
  await expectIndexed(page, "lighthouse-ledger.pdf");
  await expectIndexed(page, "tide-almanac.pdf");

  const hit = await searchFor(page, "cobalt lighthouse ledger");
  await hit.getByRole("link").first().click();
  await expect(page).toHaveURL(/\/documents\/[0-9a-f-]+\?page=\d+/);
  await expect(page.getByRole("heading", { name: "Document", level: 2 })).toBeVisible();
  // pdf.js draws the file from our own origin: two pages, the passage on the second.
  await expect(page.getByTestId("pdf-page")).toHaveCount(2);
  const fromSearch = await shownPassage(page);
  expect(fromSearch.number).toBe("2");
  expect(fromSearch.text.toLowerCase()).toContain("cobalt lighthouse ledger");
  await expect(page.getByTestId("passage-page")).toHaveText("Passage on page 2");
  await screenshotAll(page, "document-viewer");

  // The keyboard gets there too: "Go to page" and "Show passage".
  await page.getByLabel("Page", { exact: true }).fill("1");
  await page.getByRole("button", { name: "Go", exact: true }).press("Enter");
  await expect(page.locator('[data-testid="pdf-page"][data-page="1"]')).toBeInViewport();
  await page.getByRole("button", { name: "Show passage" }).click();
  await expect(page.locator("mark").first()).toBeInViewport();

  // A long PDF opens at its page 31, drawn with its neighbours only.
  await (await searchFor(page, "vermilion orrery")).getByRole("link").first().click();
  await expect(page.getByTestId("pdf-page")).toHaveCount(40);
  const deep = await shownPassage(page);
  expect(deep.number).toBe("31");
  expect(deep.text).toContain("vermilion orrery");
  const drawn = await page.locator('[data-testid="pdf-page"][data-rendered="true"]').count();
  expect(drawn).toBeGreaterThan(0);
  expect(drawn).toBeLessThan(15);
  await expect(page.locator('[data-testid="pdf-page"][data-page="1"]')).toHaveAttribute(
    "data-rendered",
    "false",
  );

  // A citation of the page-2 sentence opens the viewer there too.
  await page.getByRole("link", { name: "Ask", exact: true }).click();
  await page.getByLabel("Ask a question").fill("Who lit the lamp of the cobalt lighthouse?");
  await page.getByRole("button", { name: "Ask", exact: true }).click();
  await expect(page.getByTestId("answer")).toHaveAttribute("data-state", "done", {
    timeout: 180_000,
  });
  await page
    .getByRole("button", { name: /^Citation / })
    .first()
    .click();
  const cited = page.getByRole("dialog", { name: "Cited passage" });
  await expect(cited).toContainText(/Maren Holt/);
  await cited.getByRole("link", { name: "Open the document" }).click();
  await expect(page).toHaveURL(/\/documents\/[0-9a-f-]+\?.*span=\d+-\d+/);
  const fromCitation = await shownPassage(page);
  expect(fromCitation.number).toBe("2");
  expect(fromCitation.text).toContain("Maren Holt");

  expect(elsewhere).toEqual([]);
  // The files pdf.js fetches for fonts a PDF does not embed and for CJK text are ours too.
  for (const asset of ["cmaps/UniJIS-UCS2-H.bcmap", "standard_fonts/FoxitSerif.pfb"])
    expect((await page.request.get(`/pdfjs/${asset}`)).status(), asset).toBe(200);
});

test("a DOCX search result and citation open its text with the passage marked", async ({
  page,
}) => {
  test.setTimeout(420_000);
  await signUpAndOpen(page, "Tomas Text");
  await uploadAndIndex(page, path.join(FILES, "ferry-log.docx"));
  await expectIndexed(page, "ferry-log.docx");

  const hit = await searchFor(page, "midnight ferry");
  await hit.getByRole("link").first().click();
  // A DOCX has no pages: its hits have no `page`, only a span.
  await expect(page).toHaveURL(/\/documents\/[0-9a-f-]+\?(page=\d+&)?span=\d+-\d+$/);
  const viewer = page.getByTestId("text-viewer");
  await expect(viewer.locator("mark")).toHaveCount(1);
  await expect(viewer.locator("mark")).toContainText(/midnight ferry/i);
  await expect(viewer.locator("mark")).toBeInViewport();

  // A reload keeps the place: the span is in the link.
  await page.reload();
  await expect(page.getByTestId("text-viewer").locator("mark")).toContainText(/midnight ferry/i);
  await screenshotAll(page, "document-viewer-text");

  await page.getByRole("link", { name: "Ask", exact: true }).click();
  await page.getByLabel("Ask a question").fill("What guides the midnight ferry?");
  await page.getByRole("button", { name: "Ask", exact: true }).click();
  await expect(page.getByTestId("answer")).toHaveAttribute("data-state", "done", {
    timeout: 180_000,
  });
  await page
    .getByRole("button", { name: /^Citation / })
    .first()
    .click();
  const cited = page.getByRole("dialog", { name: "Cited passage" });
  const quote = (await cited.getByTestId("cited-passage").locator("mark").textContent()) ?? "";
  await cited.getByRole("link", { name: "Open the document" }).click();
  await expect(page.getByTestId("text-viewer").locator("mark")).toHaveText(quote.trim());
});
