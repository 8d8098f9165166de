/**
 * The practice's profile as Settings edits it (no DOM): the changes a save sends, what it says
 * when saved, a refusal's field errors in words, the time zones offered, and the version the
 * profile shares with the security settings (one tenant row: a save of either moves both).
 */
import type { TenantProfile } from "@staffgate/contract";

export interface ProfileDraft {
  readonly name: string;
  readonly timeZone: string;
}

export const draftOf = (p: TenantProfile): ProfileDraft => ({ name: p.name, timeZone: p.timeZone });

/** What changed, as PATCH /api/v1/tenant takes it. The name is sent trimmed; the API judges it. */
export function profileChanges(
  saved: TenantProfile,
  draft: ProfileDraft,
): { name?: string; timeZone?: string } {
  const out: { name?: string; timeZone?: string } = {};
  const name = draft.name.trim();
  if (name !== saved.name) out.name = name;
  if (draft.timeZone !== saved.timeZone) out.timeZone = draft.timeZone;
  return out;
}

/** "Saved the practice name and time zone." for what a save sent. */
export function savedWords(body: { name?: string; timeZone?: string }): string {
  const what = [body.name !== undefined && "practice name", body.timeZone !== undefined && "time zone"]
    .filter(Boolean)
    .join(" and ");
  return `Saved the ${what}.`;
}

const LABELS: Readonly<Record<string, string>> = { name: "Practice name", timeZone: "Time zone" };

/**
 * The API's field errors for this form: beside a field it names ("Practice name is required"),
 * and the rest (a path no field shows) to be said above the form.
 */
export function profileErrors(byField: Readonly<Record<string, string>>): {
  fields: Record<string, string>;
  other: string[];
} {
  const fields: Record<string, string> = {};
  const other: string[] = [];
  for (const [path, message] of Object.entries(byField)) {
    const label = LABELS[path];
    if (label) fields[path] = /^[a-z]/.test(message) ? `${label} ${message}` : message;
    else other.push(`${path}: ${message}`);
  }
  return { fields, other };
}

/**
 * The zones to choose from: every IANA zone the browser knows, UTC first, and the saved one even
 * when the list does not name it (a link such as Asia/Calcutta, or one this browser lacks).
 */
export function timeZoneChoices(current: string, known: readonly string[] = supportedZones()): string[] {
  const zones = ["UTC", ...known.filter((z) => z !== "UTC")];
  if (current && !zones.includes(current)) zones.splice(1, 0, current);
  return zones;
}

function supportedZones(): readonly string[] {
  // Older browsers lack the method: the saved zone and UTC are still offered.
  return typeof Intl.supportedValuesOf === "function" ? Intl.supportedValuesOf("timeZone") : [];
}

/** A zone as a person reads it: `America/New_York` → "America/New York". */
export const zoneWords = (zone: string): string => zone.replaceAll("_", " ");

/**
 * After one of the two is saved from version `from` to `to`, the version the other should hold:
 * moved along when it was read at `from` (nothing it shows has changed), else left as it was, so
 * that someone else's change in between is still refused as stale (412).
 */
export function carriedVersion(held: number, from: number, to: number): number {
  return held === from ? to : held;
}
