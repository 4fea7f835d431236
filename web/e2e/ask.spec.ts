import type { Page } from "@playwright/test";
import { expect, screenshotAll, signUpAndOpen, test } from "./fixtures";

const NOTES = `# Quillon Point lighthouse

The Quillon Point lighthouse was built from pink granite in 1887.

In 1911 the keeper Okonkwo Baptiste painted the lamp room cobalt blue to confuse the gulls.

The lighthouse foghorn sounds every ninety seconds during winter storms.
`;

/** A collection holding one markdown file, uploaded through the UI and indexed. */
async function uploadNotes(page: Page): Promise<void> {
  await page.getByRole("button", { name: "New collection" }).click();
  const dialog = page.getByRole("dialog", { name: "New collection" });
  await dialog.getByLabel("Name").fill("Lighthouse logs");
  await dialog.getByRole("button", { name: "Create collection" }).click();
  await page.getByRole("link", { name: /Lighthouse logs/ }).click();
  await page.getByLabel("Choose files to upload").setInputFiles({
    name: "quillon-point.md",
    mimeType: "text/markdown",
    buffer: Buffer.from(NOTES),
  });
  const row = page.getByTestId("document-row").filter({ hasText: "quillon-point.md" });
  await expect(row.getByTestId("document-status")).toHaveAttribute("data-status", "indexed", {
    timeout: 90_000,
  });
}

/** Record every state and text length answers go through, from the page itself. */
async function watchAnswers(page: Page): Promise<void> {
  await page.evaluate(() => {
    const seen: { state: string; length: number }[] = [];
    (window as unknown as { answerStates: typeof seen }).answerStates = seen;
    new MutationObserver(() => {
      const answers = document.querySelectorAll("[data-testid=answer]");
      const last = answers[answers.length - 1];
      if (!last) return;
      const entry = {
        state: last.getAttribute("data-state") ?? "",
        length: last.textContent?.length ?? 0,
      };
      const previous = seen[seen.length - 1];
      if (previous?.state !== entry.state || previous.length !== entry.length) seen.push(entry);
    }).observe(document.body, {
      subtree: true,
      childList: true,
      attributes: true,
      characterData: true,
    });
  });
}

async function answerStates(page: Page): Promise<{ state: string; length: number }[]> {
  return page.evaluate(
    () => (window as unknown as { answerStates: { state: string; length: number }[] }).answerStates,
  );
}

test("ask: a streamed, cited answer; the passage; a follow-up; feedback; history", async ({
  page,
}) => {
  test.setTimeout(300_000); // indexing and the first retrieval run on real, slow workers
  await signUpAndOpen(page, "Asha Asker");
  await uploadNotes(page);

  await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Ask" }).click();
  await expect(page).toHaveURL(/\/ask$/);
  await expect(page.getByText("Ask your documents")).toBeVisible();

  await watchAnswers(page);
  await page
    .getByLabel("Ask a question")
    .fill("What color was the lamp room painted by Okonkwo Baptiste?");
  await page.getByRole("button", { name: "Ask", exact: true }).click();
  const answer = page.getByTestId("answer").first();
  await expect(answer).toHaveAttribute("data-state", "done", { timeout: 90_000 });
  await expect(answer).toContainText("cobalt blue");
  // It streamed: the answer was on screen, still streaming, before it was done.
  const states = await answerStates(page);
  expect(states[0]?.state).toBe("streaming");
  expect(states.at(-1)?.state).toBe("done");
  await expect(answer.getByTestId("answer-provider")).toHaveText("local");
  await expect(page).toHaveURL(/\/ask\/[0-9a-f-]{36}$/);
  const conversationUrl = page.url();

  // A citation opens its passage, with the quote marked.
  const citation = answer.getByRole("button", { name: /^Citation \d+: quillon-point/ }).first();
  await citation.click();
  const passage = page.getByRole("dialog", { name: "Cited passage" });
  await expect(passage).toContainText("quillon-point");
  await expect(passage.locator("mark")).toContainText("cobalt blue");
  await expect(passage.getByTestId("cited-passage")).toContainText("pink granite");
  await expect(passage.getByRole("link", { name: "Open the document" })).toHaveAttribute(
    "href",
    /\/documents\/[0-9a-f-]{36}\?span=\d+-\d+$/, // opens the document at the passage
  );
  await page.keyboard.press("Escape");
  await expect(passage).toBeHidden();
  await expect(citation).toBeFocused();

  // A follow-up, in the same conversation.
  await page.getByLabel("Ask a question").fill("How often does the foghorn sound?");
  await page.keyboard.press("Enter");
  const followUp = page.getByTestId("answer").nth(1);
  await expect(followUp).toHaveAttribute("data-state", "done", { timeout: 90_000 });
  await expect(followUp).toContainText("ninety seconds");
  await expect(page).toHaveURL(conversationUrl);

  // Feedback: pressed, and kept by the server.
  const feedback = page.waitForResponse(
    (response) => response.url().includes("/feedback") && response.status() === 200,
  );
  await answer.getByRole("button", { name: "Thumbs up" }).click();
  await feedback;
  await expect(answer.getByRole("button", { name: "Thumbs up" })).toHaveAttribute(
    "aria-pressed",
    "true",
  );
  await screenshotAll(page, "ask");

  // After a reload the conversation is in the history, with its answers and feedback.
  await page.reload();
  const history = page.getByRole("navigation", { name: "Conversation history" });
  const entry = history.getByRole("link", { name: /What color was the lamp room/ });
  await expect(entry).toHaveAttribute("aria-current", "page");
  await expect(page.getByTestId("answer")).toHaveCount(2);
  await expect(
    page.getByTestId("answer").first().getByRole("button", { name: "Thumbs up" }),
  ).toHaveAttribute("aria-pressed", "true");

  // At 375 px the history folds away behind a toggle; a new conversation starts empty.
  await page.setViewportSize({ width: 375, height: 740 });
  await expect(entry).toBeHidden();
  await page.getByRole("button", { name: "Conversation history" }).click();
  await expect(entry).toBeVisible();
  await page.getByRole("button", { name: "New conversation" }).click();
  await expect(page).toHaveURL(/\/ask$/);
  await expect(page.getByText("Ask your documents")).toBeVisible();
});
