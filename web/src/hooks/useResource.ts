"use client";

import { useCallback, useEffect, useRef, useState, type DependencyList } from "react";
import { messageOf } from "@/lib/api/problem";

/**
 * Data loaded from the API: `null` while loading (show a skeleton), the error as a
 * sentence, and `reload`/`setData` for after a change.
 */
export function useResource<T>(load: () => Promise<T>, deps: DependencyList) {
  const [data, setData] = useState<T | null>(null);
  const [error, setError] = useState<string | null>(null);
  const generation = useRef(0);

  // eslint-disable-next-line react-hooks/exhaustive-deps -- the caller lists load's inputs
  const stableLoad = useCallback(load, deps);

  const reload = useCallback(async () => {
    const mine = ++generation.current;
    try {
      const loaded = await stableLoad();
      // An older request answering late must not overwrite a newer one.
      if (mine === generation.current) {
        setData(loaded);
        setError(null);
      }
    } catch (failure) {
      if (mine === generation.current) setError(messageOf(failure));
    }
  }, [stableLoad]);

  useEffect(() => void reload(), [reload]);

  return { data, error, reload, setData };
}
