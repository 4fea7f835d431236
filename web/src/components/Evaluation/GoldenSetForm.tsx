"use client";

import { useId, useState, type FormEvent } from "react";
import { Alert } from "@/components/ui/Alert";
import { Button } from "@/components/ui/Button";
import { Card } from "@/components/ui/Card";
import { Field } from "@/components/ui/Field";
import { Select } from "@/components/ui/Select";
import { useCollections } from "@/hooks/collections/queries";
import type { Evaluation } from "@/hooks/evaluations/keys";
import { useRunEvaluation } from "@/hooks/evaluations/mutations";
import { cn } from "@/lib/cn";
import {
  GoldenSetError,
  goldenSetText,
  parseGoldenSet,
  placeEvaluationErrors,
  readGoldenSetFiles,
  type EvaluationField,
} from "./goldenSet";

const EXAMPLE = `[{"query": "When was the lighthouse built?", "relevant_document_ids": ["<document id>"]}]`;

/** Upload or paste a golden set, then run it in every mode; `onRun` hears the result. */
export function GoldenSetForm({ onRun }: { onRun: (evaluation: Evaluation) => void }) {
  const collections = useCollections();
  const run = useRunEvaluation();
  const [name, setName] = useState("");
  const [collectionId, setCollectionId] = useState("");
  const [text, setText] = useState("");
  const [errors, setErrors] = useState<Partial<Record<EvaluationField, string>>>({});
  const [formError, setFormError] = useState<string | null>(null);
  const textId = useId();

  const loadFiles = async (files: FileList | null) => {
    if (!files || files.length === 0) return;
    try {
      const set = await readGoldenSetFiles([...files]);
      setText(goldenSetText(set));
      if (set.name && !name) setName(set.name);
      setErrors((current) => ({ ...current, goldenSet: undefined }));
    } catch (error) {
      setErrors((current) => ({
        ...current,
        goldenSet: error instanceof GoldenSetError ? error.message : "The file cannot be read.",
      }));
    }
  };

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setErrors({});
    setFormError(null);
    let cases;
    try {
      cases = parseGoldenSet(text).cases;
    } catch (error) {
      setErrors({ goldenSet: error instanceof GoldenSetError ? error.message : String(error) });
      return;
    }
    try {
      const evaluation = await run.mutateAsync({
        name: name.trim() || null,
        collection_ids: collectionId ? [collectionId] : null,
        cases,
      });
      onRun(evaluation);
    } catch (error) {
      const placed = placeEvaluationErrors(error);
      setErrors(placed.fields);
      setFormError(placed.form);
    }
  };

  const describedBy = errors.goldenSet ? `${textId}-error` : `${textId}-hint`;
  return (
    <Card
      title="Run a golden set"
      description="Queries with the documents that answer them; each query is searched in every mode and scored."
    >
      <form onSubmit={submit} noValidate className="space-y-4">
        {formError && <Alert>{formError}</Alert>}
        <div className="grid gap-4 sm:grid-cols-2">
          <Field
            label="Name (optional)"
            value={name}
            maxLength={200}
            onChange={(event) => setName(event.target.value)}
            error={errors.name}
          />
          <Select
            label="Collections"
            value={collectionId}
            onChange={(event) => setCollectionId(event.target.value)}
            error={errors.collection}
          >
            <option value="">All collections</option>
            {(collections.data ?? []).map((collection) => (
              <option key={collection.id} value={collection.id}>
                {collection.name}
              </option>
            ))}
          </Select>
        </div>
        <div className="space-y-1.5">
          <label
            htmlFor={`${textId}-file`}
            className="block text-sm font-medium text-slate-800 dark:text-slate-200"
          >
            Upload a golden set file
          </label>
          <input
            id={`${textId}-file`}
            type="file"
            multiple
            accept=".json,.jsonl,.tsv,.txt,application/json"
            onChange={(event) => void loadFiles(event.target.files)}
            className="block w-full text-sm text-slate-700 file:mr-3 file:rounded-lg file:border-0 file:bg-slate-100 file:px-3 file:py-2 file:text-sm file:font-medium dark:text-slate-300 dark:file:bg-slate-800 dark:file:text-slate-100"
          />
        </div>
        <div className="space-y-1.5">
          <label
            htmlFor={textId}
            className="block text-sm font-medium text-slate-800 dark:text-slate-200"
          >
            Golden set
          </label>
          <textarea
            id={textId}
            rows={8}
            value={text}
            spellCheck={false}
            placeholder={EXAMPLE}
            aria-invalid={errors.goldenSet ? true : undefined}
            aria-describedby={describedBy}
            onChange={(event) => setText(event.target.value)}
            className={cn(
              "block w-full rounded-lg border bg-white px-3 py-2 font-mono text-xs text-slate-900 shadow-sm placeholder:text-slate-500 focus:outline-none focus:ring-2 focus:ring-brand-500 dark:bg-slate-900 dark:text-slate-100 dark:placeholder:text-slate-400",
              errors.goldenSet ? "border-red-500" : "border-slate-300 dark:border-slate-700",
            )}
          />
          {errors.goldenSet ? (
            <p
              id={`${textId}-error`}
              role="alert"
              className="text-sm text-red-600 dark:text-red-400"
            >
              {errors.goldenSet}
            </p>
          ) : (
            <p id={`${textId}-hint`} className="text-xs text-slate-600 dark:text-slate-400">
              JSON (a list of cases, or an object with <code>cases</code>) or JSON Lines, each case{" "}
              <code>{'{"query", "relevant_document_ids"}'}</code> with a list of document IDs or{" "}
              <code>{"{id: grade}"}</code>; or upload a BEIR pair (queries.jsonl and a qrels .tsv
              whose corpus IDs are document IDs). Up to 300 cases.
            </p>
          )}
        </div>
        <div className="flex items-center gap-3">
          <Button type="submit" loading={run.isPending} disabled={run.isPending}>
            Run evaluation
          </Button>
          {run.isPending && (
            <p role="status" className="text-sm text-slate-600 dark:text-slate-400">
              Running: every query is searched in each mode…
            </p>
          )}
        </div>
      </form>
    </Card>
  );
}
