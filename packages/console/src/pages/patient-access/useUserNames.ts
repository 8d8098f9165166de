/**
 * Display names for user ids that an answer carries without names (who granted, who reviewed).
 * Each id is read once per page; one that cannot be read (removed, or no `users.view`) shows as
 * "a user not shown to you" rather than as an id nobody can act on. Without `users.view` nobody
 * but oneself is asked for: each refusal would be an `authz.failed` event in the audit.
 */
import { useEffect, useState } from "react";
import { useApi, useSession } from "../../session.tsx";

const NOT_SHOWN = "a user not shown to you";

export function useUserNames(ids: readonly (string | null | undefined)[]): (id: string) => string {
  const api = useApi();
  const { me, can } = useSession();
  const listed = can("users.view");
  const [names, setNames] = useState<Readonly<Record<string, string>>>({});
  const wanted = [...new Set(ids.filter((id): id is string => Boolean(id)))].sort().join(",");

  // biome-ignore lint/correctness/useExhaustiveDependencies: `names` only skips ids already known; re-running as it fills would loop.
  useEffect(() => {
    if (!wanted) return;
    let live = true;
    const missing = wanted.split(",").filter((id) => !(id in names));
    if (missing.length === 0) return;
    void Promise.all(
      missing.map((id) =>
        id === me.user.id
          ? ([id, me.user.displayName] as const)
          : !listed
            ? ([id, NOT_SHOWN] as const)
            : api.users.get(id).then(
                (u) => [id, u.displayName] as const,
                () => [id, NOT_SHOWN] as const,
              ),
      ),
    ).then((pairs) => {
      if (live) setNames((n) => ({ ...n, ...Object.fromEntries(pairs) }));
    });
    return () => {
      live = false;
    };
  }, [api, wanted, listed]);

  return (id: string) => names[id] ?? "…";
}
