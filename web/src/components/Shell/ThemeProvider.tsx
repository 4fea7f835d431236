"use client";

import { useEffect, type ReactNode } from "react";
import { useThemeStore } from "./theme";

/** Applies the chosen theme (or the system's) as the `dark` class on <html>. */
export function ThemeProvider({ children }: { children: ReactNode }) {
  const theme = useThemeStore((state) => state.theme);
  const load = useThemeStore((state) => state.load);

  useEffect(() => load(), [load]);

  useEffect(() => {
    const media = window.matchMedia("(prefers-color-scheme: dark)");
    const apply = () => {
      const dark = theme === "dark" || (theme === "system" && media.matches);
      document.documentElement.classList.toggle("dark", dark);
    };
    apply();
    media.addEventListener("change", apply);
    return () => media.removeEventListener("change", apply);
  }, [theme]);

  return children;
}
