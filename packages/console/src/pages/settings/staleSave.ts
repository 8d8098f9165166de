/**
 * A Settings save refused as stale (412): someone else saved in between. The page read the
 * settings again and kept nothing of what was typed (the conflict review). Now their values are
 * shown with this person's own changes kept on top, and the words say what the other person
 * changed, and where both changed the same setting.
 */
export interface Rebased<K extends string, D> {
  readonly drafts: Partial<Record<K, D>>;
  readonly message: string;
}

export function rebaseStale<K extends string, D>(
  keys: readonly { readonly key: K; readonly label: string }[],
  /** As this page read them, as they are now (after the other save), and as typed here. */
  read: Partial<Record<K, D>>,
  now: Partial<Record<K, D>>,
  typed: Partial<Record<K, D>>,
  /** The settings this person changed (the refused save's body). */
  mine: readonly K[],
): Rebased<K, D> {
  const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);
  const theirs = keys.filter((k) => !same(read[k.key], now[k.key]));
  const both = theirs.filter((k) => mine.includes(k.key));
  const drafts: Partial<Record<K, D>> = { ...now };
  for (const k of mine) drafts[k] = typed[k];
  const names = (list: typeof keys) => list.map((k) => k.label).join(", ");
  const what = theirs.length > 0 ? ` (${names(theirs)})` : "";
  const overlap =
    both.length > 0 ? ` You both changed ${names(both)}: yours is shown; saving replaces theirs.` : "";
  return {
    drafts,
    message:
      `Nothing was saved: someone else changed the settings since this page opened${what}. Their values are ` +
      `shown now, with your changes kept.${overlap} Check them and save again.`,
  };
}
