/**
 * A field's error as a sentence. The API says what is wrong with a field in a phrase ("is
 * required", "must be at least 1") and names the field in `path`; beside the field the console
 * names it again by its label ("Name is required"), as a screen reader that reaches the message
 * alone, or a reader skimming the form, needs it (found by the browser audit). A message that is
 * already a sentence is shown as it is.
 */
export function errorSentence(label: string, error: string): string {
  if (!/^[a-z]/.test(error)) return error;
  // "Expires (optional)" → "Expires"; a label's trailing punctuation is not part of its name.
  const name = label
    .replace(/\s*\([^)]*\)\s*$/, "")
    .replace(/[\s:*]+$/, "")
    .trim();
  if (name === "") return error;
  // "no such user" names no predicate: "User ID no such user" would read as one garbled clause.
  if (/^no /.test(error)) return `${name}: ${error}`;
  // The API's password rules name their subject ("password must be at least 15 characters"): said
  // after a label ending in that word, it would be "New password password must…".
  const last = /\S+$/.exec(name)?.[0] ?? "";
  const said = error.slice(0, last.length + 1).toLowerCase();
  if (said === `${last.toLowerCase()} `) return `${name}${error.slice(last.length)}`;
  return `${name} ${error}`;
}
