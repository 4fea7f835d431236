import { QueryClientProvider, type QueryClient } from "@tanstack/react-query";
import { render, renderHook, type RenderOptions } from "@testing-library/react";
import type { ReactElement, ReactNode } from "react";
import { makeQueryClient } from "@/lib/queryClient";

/** The app's cache, fresh per test; failures are not retried, so an error shows at once. */
export function testQueryClient(): QueryClient {
  const client = makeQueryClient();
  client.setDefaultOptions({
    queries: { retry: false, refetchOnWindowFocus: false },
    mutations: { retry: false },
  });
  return client;
}

export function withQuery(client: QueryClient = testQueryClient()) {
  return function Wrapper({ children }: { children: ReactNode }) {
    return <QueryClientProvider client={client}>{children}</QueryClientProvider>;
  };
}

export function renderWithQuery(
  ui: ReactElement,
  client: QueryClient = testQueryClient(),
  options: Omit<RenderOptions, "wrapper"> = {},
) {
  return { client, ...render(ui, { wrapper: withQuery(client), ...options }) };
}

export function renderHookWithQuery<T>(hook: () => T, client: QueryClient = testQueryClient()) {
  return { client, ...renderHook(hook, { wrapper: withQuery(client) }) };
}
