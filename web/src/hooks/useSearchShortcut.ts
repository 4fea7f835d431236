"use client";

import { useRouter } from "next/navigation";
import { useEffect } from "react";

function typing(target: EventTarget | null): boolean {
  if (!(target instanceof HTMLElement)) return false;
  return (
    target.isContentEditable ||
    target instanceof HTMLInputElement ||
    target instanceof HTMLTextAreaElement ||
    target instanceof HTMLSelectElement
  );
}

/** `/` (outside text fields) and Ctrl-K / ⌘K open the search page with the box focused. */
export function useSearchShortcut() {
  const router = useRouter();
  useEffect(() => {
    const onKey = (event: KeyboardEvent) => {
      const modK = (event.ctrlKey || event.metaKey) && event.key.toLowerCase() === "k";
      const slash = event.key === "/" && !event.ctrlKey && !event.metaKey && !typing(event.target);
      if (!modK && !slash) return;
      event.preventDefault();
      const box = document.getElementById("search-query");
      if (box instanceof HTMLInputElement) {
        box.focus();
        box.select();
      } else {
        router.push("/search?focus=1");
      }
    };
    window.addEventListener("keydown", onKey);
    return () => window.removeEventListener("keydown", onKey);
  }, [router]);
}
