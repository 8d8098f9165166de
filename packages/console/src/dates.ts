/**
 * One way to show a moment across the console (found by the browser audit: pages differed), in the
 * viewer's time zone: "Dec 3, 2026, 9:40 AM"; the audit trail and the outbox keep the seconds.
 */
const MINUTES = new Intl.DateTimeFormat(undefined, { dateStyle: "medium", timeStyle: "short" });
const SECONDS = new Intl.DateTimeFormat(undefined, { dateStyle: "medium", timeStyle: "medium" });

export function formatDateTime(iso: string, options: { readonly seconds?: boolean } = {}): string {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  return (options.seconds ? SECONDS : MINUTES).format(d);
}
