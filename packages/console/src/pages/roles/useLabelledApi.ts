/**
 * The page's client whose refusals name permissions by label and workspaces by name (labelledApi),
 * once `names` has loaded (the server's words until then). A page provides it to what it renders
 * (ApiContext), so every dialog's refusal reads the same way.
 */
import type { Staffgate } from "@staffgate/sdk";
import { useEffect, useMemo, useRef } from "react";
import { useApi } from "../../session.tsx";
import { labelledApi, permissionWords, type Words } from "./permissionWords.ts";

export interface Names {
  readonly catalog: readonly { readonly key: string; readonly label: string }[];
  readonly workspaces: readonly { readonly id: string; readonly name: string }[];
}

export function useLabelledApi(names: Names | null): Staffgate {
  const plainApi = useApi();
  // Read at each refusal: the client is made once, the names may come later.
  const words = useRef<Words | null>(null);
  useEffect(() => {
    words.current = names ? permissionWords(names.catalog, names.workspaces) : null;
  }, [names]);
  return useMemo(() => labelledApi(plainApi, () => words.current), [plainApi]);
}
