/**
 * The TOTP key, for those who cannot scan the QR code: shown in groups of four for the eye, by
 * spacing (CSS margins on inline groups) rather than by spaces, so that selecting and copying it, or
 * reading its text, gives the key itself in one piece (a key with spaces is not a key to every
 * library). A `<wbr>` between groups lets a phone's narrow screen break the line there; until
 * 2026-12-06 the groups were flex items, which the browser copied one per line. "Copy key" copies it.
 */
import { Fragment, useState } from "react";

function grouped(secret: string) {
  const parts: { at: number; text: string }[] = [];
  for (let at = 0; at < secret.length; at += 4) parts.push({ at, text: secret.slice(at, at + 4) });
  return parts.map((p) => (
    <Fragment key={p.at}>
      {p.at > 0 && <wbr />}
      <span>{p.text}</span>
    </Fragment>
  ));
}

export function TotpKey({ secret }: { readonly secret: string }) {
  const [copied, setCopied] = useState<string | null>(null);
  const copy = () =>
    navigator.clipboard.writeText(secret).then(
      () => setCopied("Copied the key."),
      () => setCopied("Could not copy: select the key and copy it yourself."),
    );
  return (
    <>
      <p>
        Cannot scan it? Type this key into the app instead:{" "}
        <code className="totp-secret">{grouped(secret)}</code>{" "}
        <button type="button" onClick={copy}>
          Copy key
        </button>
      </p>
      {copied && <p role="status">{copied}</p>}
    </>
  );
}
