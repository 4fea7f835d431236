import type { SampleQuestions } from "@/hooks/samples/queries";
import { EXAMPLE_QUESTIONS } from "./askSchema";

/**
 * A new conversation: what the assistant does, and questions to start with: the sample
 * workspace's (from its manifest) when it is loaded, general ones otherwise.
 */
export function AskEmpty({
  samples,
  onExample,
}: {
  samples: SampleQuestions | null;
  onExample: (question: string) => void;
}) {
  const questions = samples?.questions ?? EXAMPLE_QUESTIONS;
  return (
    <div className="rounded-xl border border-dashed border-slate-300 bg-white/50 px-6 py-10 text-center dark:border-slate-700 dark:bg-slate-900/50">
      <h2 className="font-medium text-slate-900 dark:text-slate-100">Ask your documents</h2>
      <p className="mx-auto mt-1 max-w-md text-sm text-slate-600 dark:text-slate-400">
        Answers come only from documents you can read, with numbered citations you can open to check
        the exact passage.
      </p>
      <p className="mt-5 text-xs font-medium uppercase tracking-wide text-slate-500 dark:text-slate-400">
        {samples ? `Suggested for ${samples.collection}` : "Try"}
      </p>
      <ul className="mt-2 flex flex-col items-center gap-2">
        {questions.map((question) => (
          <li key={question}>
            <button
              type="button"
              onClick={() => onExample(question)}
              className="rounded-full border border-slate-300 bg-white px-3 py-1.5 text-sm text-slate-700 hover:bg-slate-50 focus-visible:outline-none focus-visible:ring-2 focus-visible:ring-brand-500 dark:border-slate-700 dark:bg-slate-900 dark:text-slate-300 dark:hover:bg-slate-800"
            >
              {question}
            </button>
          </li>
        ))}
      </ul>
    </div>
  );
}
