import { create } from "zustand";
import type { components } from "@/lib/api/schema";

export type User = components["schemas"]["UserRead"];
export type AuthStatus = "unknown" | "authenticated" | "anonymous";

interface AuthState {
  // The access token lives here, in memory only: never in localStorage or a cookie.
  accessToken: string | null;
  expiresAt: number | null;
  user: User | null;
  status: AuthStatus;
  setToken: (accessToken: string, expiresInSeconds: number) => void;
  setUser: (user: User | null) => void;
  clear: () => void;
}

export const useAuthStore = create<AuthState>()((set) => ({
  accessToken: null,
  expiresAt: null,
  user: null,
  status: "unknown",
  setToken: (accessToken, expiresInSeconds) =>
    set({ accessToken, expiresAt: Date.now() + expiresInSeconds * 1000, status: "authenticated" }),
  setUser: (user) => set({ user }),
  clear: () => set({ accessToken: null, expiresAt: null, user: null, status: "anonymous" }),
}));
