"use client";

import type { ReactNode } from "react";
import { Alert } from "@/components/ui/Alert";
import { Button } from "@/components/ui/Button";
import { Card } from "@/components/ui/Card";
import { Skeleton } from "@/components/ui/Skeleton";
import type { AnalyticsArea, AnalyticsRange } from "@/hooks/analytics/keys";
import { useExportAnalytics } from "@/hooks/analytics/mutations";
import { errorText } from "@/lib/api/problem";
import { cn } from "@/lib/cn";

const AREA_NAMES: Record<AnalyticsArea, string> = {
  overview: "overview",
  search: "search",
  assistant: "AI answers",
  ingestion: "ingestion",
  users: "people",
};

/** Save one area's series over the range as CSV. */
export function ExportButton({ area, range }: { area: AnalyticsArea; range: AnalyticsRange }) {
  const exportCsv = useExportAnalytics();
  return (
    <Button
      variant="secondary"
      className="h-9 px-3"
      loading={exportCsv.isPending}
      aria-label={`Export ${AREA_NAMES[area]} as CSV`}
      onClick={() => exportCsv.mutate({ area, range })}
    >
      Export CSV
    </Button>
  );
}

/**
 * One area of the dashboard: its card, its CSV export, and its states (a skeleton while it
 * loads, the error as a sentence, a line when nothing happened in the range).
 */
export function Panel<T>({
  title,
  description,
  area,
  range,
  data,
  error,
  isEmpty,
  children,
}: {
  title: string;
  description?: string;
  area: AnalyticsArea;
  range: AnalyticsRange;
  data: T | undefined;
  error: unknown;
  isEmpty: (data: T) => boolean;
  children: (data: T) => ReactNode;
}) {
  const problem = errorText(error);
  return (
    <Card
      title={title}
      description={description}
      actions={<ExportButton area={area} range={range} />}
      className="min-w-0"
    >
      {problem ? (
        <Alert>{problem}</Alert>
      ) : data === undefined ? (
        <Skeleton className="h-56" />
      ) : isEmpty(data) ? (
        <p className="py-8 text-center text-sm text-slate-600 dark:text-slate-400">
          Nothing happened in this range.
        </p>
      ) : (
        <div className="space-y-5">{children(data)}</div>
      )}
    </Card>
  );
}

/** A table that scrolls sideways on a narrow screen instead of widening the page. */
export function ScrollTable({
  label,
  head,
  children,
}: {
  label: string;
  head: string[];
  children: ReactNode;
}) {
  return (
    <div className="min-w-0">
      <h3 className="mb-2 text-sm font-medium text-slate-800 dark:text-slate-200">{label}</h3>
      <div className="overflow-x-auto rounded-lg border border-slate-200 dark:border-slate-800">
        <table
          aria-label={label}
          className={cn("w-full text-left text-sm", head.length > 2 && "min-w-[28rem]")}
        >
          <thead className="bg-slate-50 text-xs uppercase tracking-wide text-slate-600 dark:bg-slate-800/60 dark:text-slate-300">
            <tr>
              {head.map((cell, index) => (
                <th
                  key={cell}
                  scope="col"
                  className={
                    index === 0 ? "px-3 py-2 font-medium" : "px-3 py-2 text-right font-medium"
                  }
                >
                  {cell}
                </th>
              ))}
            </tr>
          </thead>
          <tbody className="divide-y divide-slate-200 text-slate-800 dark:divide-slate-800 dark:text-slate-200">
            {children}
          </tbody>
        </table>
      </div>
    </div>
  );
}

/** A row of ScrollTable: the first cell is the name, the others are numbers. */
export function Row({ cells, testId }: { cells: ReactNode[]; testId?: string }) {
  return (
    <tr data-testid={testId}>
      {cells.map((cell, index) => (
        <td
          key={index}
          className={
            index === 0
              ? "max-w-[16rem] break-words px-3 py-2"
              : "px-3 py-2 text-right tabular-nums"
          }
        >
          {cell}
        </td>
      ))}
    </tr>
  );
}
