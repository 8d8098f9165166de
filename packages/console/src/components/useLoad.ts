/**
 * Loads data for a page: `loading`, then `ready` with the value or `error` with words to show.
 * A newer load (deps changed, `reload()`) wins; an answer for an older one is dropped.
 */
import { type DependencyList, useCallback, useEffect, useState } from "react";
import { problemMessage } from "../api.ts";

export type Loaded<T> =
  | { readonly kind: "loading" }
  | { readonly kind: "error"; readonly message: string }
  | { readonly kind: "ready"; readonly value: T };

export function useLoad<T>(load: () => Promise<T>, deps: DependencyList): [Loaded<T>, () => void] {
  const [state, setState] = useState<Loaded<T>>({ kind: "loading" });
  const [generation, setGeneration] = useState(0);
  // biome-ignore lint/correctness/useExhaustiveDependencies: the caller's deps decide when `load` changes.
  useEffect(() => {
    let live = true;
    setState((s) => (s.kind === "ready" ? s : { kind: "loading" }));
    load().then(
      (value) => {
        if (live) setState({ kind: "ready", value });
      },
      (e: unknown) => {
        if (live) setState({ kind: "error", message: problemMessage(e) });
      },
    );
    return () => {
      live = false;
    };
  }, [...deps, generation]);
  const reload = useCallback(() => setGeneration((g) => g + 1), []);
  return [state, reload];
}
