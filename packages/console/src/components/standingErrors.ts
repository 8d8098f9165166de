/**
 * The field errors of a refusal that still stand: each is kept while what it was said about is
 * as it was when refused, and goes as soon as that changes (with its tab's mark), rather than
 * waiting for the next Save. Changed back, the value is the refused one again, and so is its error.
 */
export function standingErrors<V>(
  errors: Readonly<Record<string, string>>,
  refused: V,
  now: V,
  /** What an error's path names in the values; undefined for what no value holds (kept). */
  valueAt: (values: V, path: string) => unknown,
): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [path, message] of Object.entries(errors)) {
    if (JSON.stringify(valueAt(refused, path)) === JSON.stringify(valueAt(now, path))) out[path] = message;
  }
  return out;
}
