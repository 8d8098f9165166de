/** Every item of a cursor-paged list, for the few lists a tenant keeps short (roles, workspaces, grants). */
export async function listAll<T>(
  page: (query: { limit: number; cursor?: string }) => Promise<{ items: T[]; nextCursor: string | null }>,
  /** At most this many pages of 200 (a guard against a list that is not short after all). */
  maxPages = Number.POSITIVE_INFINITY,
): Promise<T[]> {
  const out: T[] = [];
  let cursor: string | undefined;
  for (let i = 0; i < maxPages; i++) {
    const p = await page({ limit: 200, ...(cursor ? { cursor } : {}) });
    out.push(...p.items);
    if (!p.nextCursor) break;
    cursor = p.nextCursor;
  }
  return out;
}
