/**
 * "Export Users as CSV" (ProKnow's words, DOMAIN.md W12): the users the list's current filters
 * match (every page; the export is itself audited), saved as `users-<date>.csv` the way the
 * audit export saves its files.
 */
import type { Staffgate } from "@staffgate/sdk";
import { useState } from "react";
import { problemMessage } from "../../api.ts";
import { useApi } from "../../session.tsx";
import { downloadText } from "../audit/download.ts";
import { today } from "../audit/format.ts";

export type ExportQuery = Parameters<Staffgate["users"]["export"]>[0];

export function ExportUsersButton(props: {
  readonly query: ExportQuery;
  readonly onDone: (message: string) => void;
  readonly onError: (message: string) => void;
}) {
  const api = useApi();
  const [busy, setBusy] = useState(false);

  const onExport = async () => {
    setBusy(true);
    try {
      const text = await api.users.export(props.query);
      const name = `users-${today()}.csv`;
      downloadText(text, name, "text/csv;charset=utf-8");
      props.onDone(`Downloaded ${name}.`);
    } catch (e) {
      props.onError(problemMessage(e));
    } finally {
      setBusy(false);
    }
  };

  return (
    <button type="button" onClick={onExport} disabled={busy} aria-busy={busy}>
      Export Users as CSV
    </button>
  );
}
