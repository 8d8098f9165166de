/**
 * An instant as an email says it: in the practice's time zone, which is where its staff read their
 * mail, named so nobody has to guess, with the exact UTC instant after it for an inspector or a
 * support ticket ("Fri, 4 Dec 2026, 01:10 Europe/Oslo (2026-12-04 00:10 UTC)").
 */
const formats = new Map<string, Intl.DateTimeFormat>();

function formatIn(timeZone: string): Intl.DateTimeFormat {
  let f = formats.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat("en-GB", {
      timeZone,
      weekday: "short",
      day: "numeric",
      month: "short",
      year: "numeric",
      hour: "2-digit",
      minute: "2-digit",
      hourCycle: "h23",
    });
    formats.set(timeZone, f);
  }
  return f;
}

export function mailTime(iso: string, timeZone: string): string {
  const at = new Date(iso);
  const utc = `${at.toISOString().slice(0, 16).replace("T", " ")} UTC`;
  if (timeZone === "UTC") return `${formatIn("UTC").format(at).replace(" at ", ", ")} UTC`;
  return `${formatIn(timeZone).format(at).replace(" at ", ", ")} ${timeZone} (${utc})`;
}
