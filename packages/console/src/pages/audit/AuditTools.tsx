/**
 * Export the current filter's events (CSV or JSON Lines; the export is itself audited) and verify
 * the tenant's hash chain, with the verdict in words.
 */
import { useState } from "react";
import { problemMessage } from "../../api.ts";
import { ErrorAlert } from "../../components/Messages.tsx";
import { useApi, useSession } from "../../session.tsx";
import { downloadText } from "./download.ts";
import type { AuditQuery } from "./filters.ts";
import { today } from "./format.ts";

type Format = "csv" | "jsonl";

const MIME: Readonly<Record<Format, string>> = {
  csv: "text/csv;charset=utf-8",
  jsonl: "application/x-ndjson;charset=utf-8",
};

type Verdict = { ok: boolean; checked: number; firstBrokenSeq: number | null };

function verdictWords(v: Verdict): string {
  const events = `${v.checked} event${v.checked === 1 ? "" : "s"}`;
  if (v.ok) return `The audit chain is intact: ${events} checked, none altered or missing.`;
  const where = v.firstBrokenSeq === null ? "" : ` at event ${v.firstBrokenSeq}`;
  return `The audit chain is broken${where}: that event was altered, removed or replaced (${events} checked before the break).`;
}

export function AuditTools(props: { readonly query: AuditQuery; readonly filtered: boolean }) {
  const api = useApi();
  const { me } = useSession();
  const [busy, setBusy] = useState<Format | "verify" | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [done, setDone] = useState<string | null>(null);
  const [verdict, setVerdict] = useState<Verdict | null>(null);

  const onExport = async (format: Format) => {
    setBusy(format);
    setError(null);
    setDone(null);
    try {
      const text = await api.audit.export({ ...props.query, format });
      const name = `staffgate-audit-${me.tenant.slug}-${today()}${props.filtered ? "-filtered" : ""}.${format}`;
      downloadText(text, name, MIME[format]);
      setDone(`Downloaded ${name}.`);
    } catch (e) {
      setError(problemMessage(e));
    } finally {
      setBusy(null);
    }
  };

  const onVerify = async () => {
    setBusy("verify");
    setError(null);
    setVerdict(null);
    try {
      setVerdict(await api.audit.verify());
    } catch (e) {
      setError(problemMessage(e));
    } finally {
      setBusy(null);
    }
  };

  return (
    <section className="audit-tools" aria-label="Export and verify">
      <div className="audit-tool-buttons">
        <button
          type="button"
          onClick={() => onExport("csv")}
          disabled={busy !== null}
          aria-busy={busy === "csv"}
        >
          Export CSV
        </button>
        <button
          type="button"
          onClick={() => onExport("jsonl")}
          disabled={busy !== null}
          aria-busy={busy === "jsonl"}
        >
          Export JSON Lines
        </button>
        <button type="button" onClick={onVerify} disabled={busy !== null} aria-busy={busy === "verify"}>
          Verify chain
        </button>
      </div>
      <div role="status" className="audit-tool-results">
        {done && <p className="hint">{done}</p>}
        {verdict && <p className={verdict.ok ? "notice" : "error audit-broken"}>{verdictWords(verdict)}</p>}
      </div>
      <ErrorAlert>{error}</ErrorAlert>
    </section>
  );
}
