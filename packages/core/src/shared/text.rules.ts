/** Normalisation of names and keys, shared by uniqueness checks and search. */

/**
 * Text folded for case-insensitive search: NFKC and lower case, with the Greek final sigma read as
 * the letter it is (`toLowerCase()` writes "ΟΔΥΣ" as "οδυς", which "οδυσσεας" does not contain).
 */
export function foldText(value: string): string {
  return value.normalize("NFKC").toLowerCase().replaceAll("ς", "σ");
}

/**
 * The folding of `sg_fold()`, the database function the text filters compare with (audit `actor`
 * and `q`, workspace `q`, work role): lower case as JavaScript's (ICU's) and the final sigma as σ,
 * without normalising (the value is normalised as its column is). SQLite's `sg_fold` is this
 * function; PostgreSQL's is the migration's, lower() under ICU's root collation.
 */
export function foldSql(value: string): string {
  return value.toLowerCase().replaceAll("ς", "σ");
}

/** Case-insensitive identity of a username, email, slug or role name. */
export function foldKey(value: string): string {
  return value.normalize("NFKC").trim().toLowerCase();
}

/** Escapes LIKE metacharacters so user text matches literally (ASVS 1.2.9); use with ESCAPE '\'. */
export function escapeLike(value: string): string {
  return value.replace(/[\\%_]/g, (c) => `\\${c}`);
}
