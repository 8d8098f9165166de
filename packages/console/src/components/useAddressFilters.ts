/**
 * Filters kept in the address (`?state=…`): `applied` is what the address says, `form` what the
 * user is typing. The form follows the address: another address (back, forward, a shared link)
 * resets it, so a half-typed filter never fires a query and a reload shows the same list.
 */
import { useMemo, useState } from "react";
import { useSearch } from "../router.tsx";

export function useAddressFilters<F>(fromSearch: (search: string) => F) {
  const search = useSearch();
  // biome-ignore lint/correctness/useExhaustiveDependencies: fromSearch is a module-level parser.
  const applied = useMemo(() => fromSearch(search), [search]);
  const [draft, setDraft] = useState<{ search: string; form: F }>({ search, form: applied });
  // Dropped as soon as the address moves on, not merely hidden: Back to the address it was typed
  // at had shown it again (Status "Archived" over the active users the list showed).
  if (draft.search !== search) setDraft({ search, form: applied });
  const form = draft.search === search ? draft.form : applied;
  const setForm = (f: F) => setDraft({ search, form: f });
  return { search, applied, form, setForm };
}
