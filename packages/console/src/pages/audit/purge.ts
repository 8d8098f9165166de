/**
 * Purging the events past the retention horizon, in words: the cut-off the dialog names, the
 * outcome, and a refusal (a broken chain among the events to delete is explained: nothing went).
 */
import type { Staffgate } from "@staffgate/sdk";
import { problemCode, problemMessage } from "../../api.ts";

export type PurgeResult = Awaited<ReturnType<Staffgate["audit"]["purge"]>>;

const DAY_MS = 86_400_000;

/** The horizon as the server computes it: now minus the retention, in whole 24-hour days. */
export function horizonOf(retentionDays: number, now: number): string {
  return new Date(now - retentionDays * DAY_MS).toISOString();
}

/** The cut-off in the viewer's time zone, to the minute. */
export function horizonText(iso: string): string {
  return new Date(iso).toLocaleString(undefined, { dateStyle: "long", timeStyle: "short" });
}

export function purgedWords(result: PurgeResult): string {
  if (result.purged === 0) return "No events are older than the retention period.";
  return `Purged ${result.purged} event${result.purged === 1 ? "" : "s"}.`;
}

export function purgeRefusal(error: unknown): string {
  if (problemCode(error) !== "AUDIT_CHAIN_BROKEN") return problemMessage(error);
  const detail = problemMessage(error).replace(/\.?$/, ".");
  return `The audit chain is broken among the events to delete, so nothing was deleted: purging them would destroy the evidence of tampering. ${detail}`;
}
