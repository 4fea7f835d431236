import { QueryCache, QueryClient } from "@tanstack/react-query";
import { ApiError } from "@/lib/api/problem";
import { toastError } from "@/stores/toast";

declare module "@tanstack/react-query" {
  interface Register {
    // `meta: { toast: true }`: a query that no screen shows an error for is toasted once.
    queryMeta: { toast?: boolean };
  }
}

/** A refused request (4xx) fails the same way again: only an unreachable or failing server is retried. */
export function shouldRetry(failures: number, error: unknown): boolean {
  if (error instanceof ApiError && error.status >= 400 && error.status < 500) return false;
  return failures < 2;
}

export function makeQueryClient(): QueryClient {
  return new QueryClient({
    queryCache: new QueryCache({
      onError: (error, query) => {
        if (query.meta?.toast) toastError(error);
      },
    }),
    defaultOptions: {
      queries: {
        retry: shouldRetry,
        // Pages fetch when they open and poll what is still changing; a focus refetch
        // would reset forms that are being edited from the data.
        refetchOnWindowFocus: false,
      },
      // A mutation is the user's action: it is never repeated behind their back.
      mutations: { retry: false },
    },
  });
}
