"use client";

import { useMutation } from "@tanstack/react-query";
import { api, unwrap } from "@/lib/api/client";
import type { ErasureBody } from "./keys";

/** Asks every service for what it holds about the caller; answers the request's ID. */
export function useRequestExport() {
  return useMutation({
    mutationFn: () => unwrap(api.POST("/api/privacy/exports")),
  });
}

/** Erases the caller's account (password, and a code when two-step is on). */
export function useRequestErasure() {
  return useMutation({
    mutationFn: (body: ErasureBody) => unwrap(api.POST("/api/privacy/erasure", { body })),
  });
}
