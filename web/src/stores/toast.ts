import { create } from "zustand";
import { messageOf } from "@/lib/api/problem";

export type ToastTone = "error" | "success" | "info";

export interface Toast {
  id: number;
  tone: ToastTone;
  message: string;
}

interface ToastState {
  toasts: Toast[];
  push: (tone: ToastTone, message: string) => number;
  dismiss: (id: number) => void;
}

// Enough to read a sentence; errors stay until dismissed or replaced.
export const TOAST_MS = 6_000;
const MAX_TOASTS = 4;
let nextId = 1;

export const useToastStore = create<ToastState>()((set) => ({
  toasts: [],
  push: (tone, message) => {
    const id = nextId++;
    set((state) => ({
      // The same message twice (a retried call) is shown once.
      toasts: [
        ...state.toasts.filter((toast) => toast.message !== message),
        { id, tone, message },
      ].slice(-MAX_TOASTS),
    }));
    return id;
  },
  dismiss: (id) => set((state) => ({ toasts: state.toasts.filter((toast) => toast.id !== id) })),
}));

/** Show what went wrong as a sentence (an ApiError's detail, never its JSON). */
export function toastError(error: unknown): void {
  useToastStore.getState().push("error", messageOf(error));
}

export function toastSuccess(message: string): void {
  useToastStore.getState().push("success", message);
}
