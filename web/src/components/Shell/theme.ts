import { create } from "zustand";

export type Theme = "light" | "dark" | "system";
const KEY = "sift-theme";

interface ThemeState {
  theme: Theme;
  load: () => void;
  setTheme: (theme: Theme) => void;
}

// Only the theme preference is persisted; never anything about the session.
export const useThemeStore = create<ThemeState>()((set) => ({
  theme: "system",
  load: () => {
    const saved = window.localStorage.getItem(KEY);
    if (saved === "light" || saved === "dark" || saved === "system") set({ theme: saved });
  },
  setTheme: (theme) => {
    window.localStorage.setItem(KEY, theme);
    set({ theme });
  },
}));
