"use client";

import { useMutation, useQueryClient } from "@tanstack/react-query";
import { api, unwrap } from "@/lib/api/client";
import { toastError } from "@/stores/toast";
import { privacyKeys, type ConsentsUpdate, type ErasureBody } from "./keys";

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

/** Grants or withdraws the consents given (the others stay); the answer is the new state. */
export function useUpdateConsents() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (body: ConsentsUpdate) => unwrap(api.PUT("/api/privacy/consents", { body })),
    onSuccess: (consents) => queryClient.setQueryData(privacyKeys.consents(), consents),
    onError: toastError,
  });
}
