/**
 * The Unique URL ID a workspace's name suggests: what the API's slug rule takes (lower-case
 * letters and digits in groups joined by single hyphens, at most 40), accents dropped.
 */
const MAX = 40;

export function slugOf(name: string): string {
  return name
    .normalize("NFD")
    .replace(/[\u0300-\u036f]/g, "")
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-+/, "")
    .slice(0, MAX)
    .replace(/-+$/, "");
}
