import {
  createCollection,
  dropFiles,
  expect,
  expectIndexed,
  screenshotAll,
  signUpAndOpen,
  test,
} from "./fixtures";

const DOCUMENTS = [
  {
    name: "tides.md",
    type: "text/markdown",
    text: "# Tide tables\n\nSpring tides at Marrow Bay rise four metres above the harbour sill.\n",
  },
  {
    name: "beacons.md",
    type: "text/markdown",
    text: "# Beacons\n\nThe green beacon on Gannet Rock flashes every six seconds at night.\n",
  },
];

test("an admin uploads a golden set naming uploaded documents, runs it and sees metrics per mode", async ({
  page,
}) => {
  test.setTimeout(240_000); // indexing runs on the real ingest worker
  await signUpAndOpen(page, "Eva Evaluator");
  await createCollection(page, "Harbour notes");
  await page.getByRole("link", { name: /Harbour notes/ }).click();
  await dropFiles(page, DOCUMENTS);
  for (const document of DOCUMENTS) await expectIndexed(page, document.name);
  const idOf = async (filename: string) => {
    const href = await page
      .getByTestId("document-row")
      .filter({ hasText: filename })
      .getByRole("link")
      .first()
      .getAttribute("href");
    return href!.match(/[0-9a-f-]{36}/)![0];
  };
  const tides = await idOf("tides.md");
  const beacons = await idOf("beacons.md");

  await page.goto("/settings");
  await page
    .getByRole("navigation", { name: "Settings" })
    .getByRole("link", { name: "Evaluation" })
    .click();
  await expect(page).toHaveURL(/\/settings\/evaluation$/);
  await expect(page.getByText("No run yet.")).toBeVisible();

  // A case the server refuses: its problem is shown next to the golden set.
  const goldenSet = page.getByLabel("Golden set", { exact: true });
  await goldenSet.fill(`{"query": "spring tides", "relevant_document_ids": ["not-an-id"]}`);
  await page.getByRole("button", { name: "Run evaluation" }).click();
  await expect(page.getByRole("alert").filter({ hasText: /^Case 1/ })).toContainText("UUID");

  // A JSON Lines file naming the two documents.
  const lines = [
    { query: "How high do spring tides rise at Marrow Bay?", relevant_document_ids: [tides] },
    { query: "How often does the green beacon flash?", relevant_document_ids: { [beacons]: 2 } },
  ];
  await page.getByLabel("Upload a golden set file").setInputFiles({
    name: "harbour.jsonl",
    mimeType: "application/jsonl",
    buffer: Buffer.from(lines.map((line) => JSON.stringify(line)).join("\n")),
  });
  await expect(goldenSet).toHaveValue(new RegExp(beacons));
  await page.getByLabel("Name (optional)").fill("Harbour baseline");
  await page.getByRole("button", { name: "Run evaluation" }).click();

  const latest = page.getByRole("region", { name: "Latest run" });
  await expect(latest).toContainText("2 of 2 cases scored", { timeout: 60_000 });
  const rows = latest.getByTestId("mode-metrics");
  await expect(rows).toHaveCount(3);
  for (const mode of ["fulltext", "semantic", "hybrid"]) {
    const row = latest.locator(`[data-mode="${mode}"]`);
    // Two documents, each the only answer to its query: found at rank 1 or 2 in every mode.
    await expect(row.getByRole("cell").nth(0)).toHaveText(/^(1\.000|0\.[6-9]\d\d)$/);
    await expect(row.getByRole("cell").nth(1)).toHaveText("1.000");
  }
  const history = page.getByTestId("evaluation-run");
  await expect(history).toHaveCount(1);
  await expect(history.first()).toContainText("Harbour baseline");
  await expect(history.first().locator('[data-mode="hybrid"]')).toContainText(" · 1.000 · ");
  await screenshotAll(page, "settings-evaluation");
});
