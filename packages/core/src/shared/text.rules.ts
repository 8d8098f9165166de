/** Normalisation of names and keys, shared by uniqueness checks and search. */

/** Case-insensitive identity of a username, email, slug or role name. */
export function foldKey(value: string): string {
  return value.normalize("NFKC").trim().toLowerCase();
}

/** Escapes LIKE metacharacters so user text matches literally (ASVS 1.2.9); use with ESCAPE '\'. */
export function escapeLike(value: string): string {
  return value.replace(/[\\%_]/g, (c) => `\\${c}`);
}
