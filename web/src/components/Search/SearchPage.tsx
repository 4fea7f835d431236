"use client";

import { usePathname, useRouter, useSearchParams } from "next/navigation";
import { useEffect, useRef, useState, type FormEvent } from "react";
import { Alert } from "@/components/ui/Alert";
import { Button } from "@/components/ui/Button";
import { EmptyState } from "@/components/ui/EmptyState";
import { Skeleton } from "@/components/ui/Skeleton";
import { useReportClick } from "@/hooks/search/mutations";
import { useSearch } from "@/hooks/search/queries";
import { errorText } from "@/lib/api/problem";
import { SaveSearchDialog } from "./SaveSearchDialog";
import { ModeSwitch, SearchFilters } from "./SearchFilters";
import { readSearchState, writeSearchState, type SearchState } from "./searchParams";
import { SearchResults } from "./SearchResults";

export function SearchPage() {
  const router = useRouter();
  const pathname = usePathname();
  const params = useSearchParams();
  const state = readSearchState(new URLSearchParams(params.toString()));
  const [draft, setDraft] = useState(state.q);
  const input = useRef<HTMLInputElement>(null);
  const search = useSearch(state);
  const { results } = search;
  const reportClick = useReportClick();
  const error = errorText(search.error);

  // The global shortcut lands here with ?focus=1; a new query from elsewhere updates the box.
  useEffect(() => setDraft(state.q), [state.q]);
  useEffect(() => {
    if (params.get("focus") !== null || !state.q) input.current?.focus();
  }, [params, state.q]);

  const go = (patch: Partial<SearchState>) => {
    const next = writeSearchState({ ...state, ...patch });
    router.replace(next ? `${pathname}?${next}` : pathname);
  };

  const submit = (event: FormEvent) => {
    event.preventDefault();
    go({ q: draft.trim() });
  };

  return (
    <div className="space-y-5">
      <h1 className="text-2xl font-semibold tracking-tight">Search</h1>
      <form role="search" onSubmit={submit} className="flex gap-2">
        <label htmlFor="search-query" className="sr-only">
          Search your documents
        </label>
        <input
          ref={input}
          id="search-query"
          type="search"
          value={draft}
          maxLength={1000}
          placeholder="Search your documents"
          onChange={(event) => setDraft(event.target.value)}
          className="h-11 min-w-0 flex-1 rounded-lg border border-slate-300 bg-white px-3 text-base shadow-sm focus:outline-none focus:ring-2 focus:ring-brand-500 dark:border-slate-700 dark:bg-slate-900"
        />
        <Button type="submit" className="h-11">
          Search
        </Button>
      </form>
      <div className="flex flex-wrap items-center justify-between gap-3">
        <ModeSwitch mode={state.mode} onChange={(mode) => go({ mode })} />
        <SaveSearchDialog state={state} />
      </div>
      <SearchFilters key={state.tag} state={state} onChange={go} />
      {error && <Alert>{error}</Alert>}
      {!state.q ? (
        <EmptyState title="Search every document you can see">
          Type a few words or a question. Press <kbd>/</kbd> or <kbd>Ctrl</kbd>+<kbd>K</kbd> from
          anywhere to come back here.
        </EmptyState>
      ) : results === null ? (
        !error && (
          <div aria-busy="true" aria-label="Searching" className="space-y-3">
            {[0, 1, 2].map((key) => (
              <Skeleton key={key} className="h-24" />
            ))}
          </div>
        )
      ) : results.items.length === 0 ? (
        <EmptyState title={`No results for “${state.q}”`}>
          Try other words, another mode, or fewer filters. Documents still being processed appear
          once they are indexed.
        </EmptyState>
      ) : (
        <>
          <p role="status" className="text-xs text-slate-500 dark:text-slate-400">
            {results.items.length}
            {results.nextCursor ? "+" : ""} results · {results.tookMs} ms
          </p>
          <SearchResults
            items={results.items}
            hasMore={Boolean(results.nextCursor)}
            loading={search.isFetchingNextPage}
            onMore={() => void search.fetchNextPage()}
            onOpen={(index) => {
              // Analytics only: not awaited, and a failure is nobody's concern.
              const click = results.clickOf(index);
              if (click) reportClick.mutate(click);
            }}
          />
        </>
      )}
    </div>
  );
}
