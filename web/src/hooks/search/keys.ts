import type { SearchState } from "@/components/Search/searchParams";

export const searchKeys = {
  all: ["search"] as const,
  results: (state: SearchState) => [...searchKeys.all, "results", state] as const,
};
