/**
 * "Import Users from CSV" (ProKnow's words): says which columns a file may have and how its
 * rows are matched, checks a chosen file at once (a dry run: nothing is written) and shows what
 * each row would do; "Import" is offered only when no row has an error, and runs the real import
 * (all or nothing). A file the API cannot read, or an import refused after all, is said in the
 * dialog, which stays open.
 */
import { type ChangeEvent, useRef, useState } from "react";
import { Dialog } from "../../components/Dialog.tsx";
import { Field } from "../../components/Field.tsx";
import { ListTable } from "../../components/ListTable.tsx";
import { ErrorAlert } from "../../components/Messages.tsx";
import { ScrollBox } from "../../components/ScrollBox.tsx";
import { useApi } from "../../session.tsx";
import {
  fileRefusal,
  IMPORT_COLUMNS,
  type ImportReport,
  importable,
  MAX_FILE_BYTES,
  MAX_IMPORT_ROWS,
  refusedReport,
  rowOutcome,
  summaryWords,
} from "./import-report.ts";
import { importExample } from "./importExample.ts";

type Phase = "idle" | "checking" | "importing";

const EMPTY = "This file is empty: choose a CSV file with a header row.";
const TOO_LARGE = "This file is larger than 1 MB: split it into smaller files and import each.";

export function ImportUsersDialog(props: {
  /** The tenant's workspaces and roles, for the examples (null while loading: a neutral one). */
  readonly workspaces: readonly { readonly slug: string }[] | null;
  readonly roles: readonly { readonly name: string; readonly system: boolean }[] | null;
  readonly onClose: () => void;
  readonly onImported: (report: ImportReport) => void;
}) {
  const api = useApi();
  const [phase, setPhase] = useState<Phase>("idle");
  const [checked, setChecked] = useState<{ name: string; csv: string; report: ImportReport } | null>(null);
  const [error, setError] = useState<string | null>(null);
  // Only the newest file's check is shown: an answer for a file chosen before it is dropped.
  const latest = useRef(0);

  const choose = async (event: ChangeEvent<HTMLInputElement>) => {
    const input = event.currentTarget;
    const file = input.files?.[0];
    const ticket = ++latest.current;
    setChecked(null);
    setError(null);
    setPhase("idle");
    if (!file) return;
    const unfit = file.size === 0 ? EMPTY : file.size > MAX_FILE_BYTES ? TOO_LARGE : null;
    if (unfit) {
      input.value = "";
      setError(unfit);
      return;
    }
    setPhase("checking");
    const csv = await file.text().catch(() => null);
    // Emptied once read: the same file chosen again (corrected meanwhile) is then a change, which
    // the browser announces and this reads again. The name stays shown with the check below.
    input.value = "";
    if (ticket !== latest.current) return;
    if (csv === null) {
      setError("This file could not be read. Choose it again.");
      setPhase("idle");
      return;
    }
    try {
      const report = await api.users.import({ csv, dryRun: true });
      if (ticket === latest.current) setChecked({ name: file.name, csv, report });
    } catch (e) {
      if (ticket === latest.current) setError(fileRefusal(e));
    } finally {
      if (ticket === latest.current) setPhase("idle");
    }
  };

  const runImport = async () => {
    if (!checked || !importable(checked.report)) return;
    setPhase("importing");
    setError(null);
    try {
      props.onImported(await api.users.import({ csv: checked.csv, dryRun: false }));
    } catch (e) {
      const report = refusedReport(e);
      if (report) setChecked({ ...checked, report });
      setError(fileRefusal(e));
      setPhase("idle");
    }
  };

  const busy = phase !== "idle";
  const report = checked?.report ?? null;
  const example = importExample(props.workspaces, props.roles);
  return (
    <Dialog title="Import Users from CSV" onClose={props.onClose} wide>
      <div className="dialog-body">
        <p>
          The file&rsquo;s first row names its columns, in any order: {columnList()}. <code>role</code> is a
          role&rsquo;s name; <code>workspaces</code> is <code>all</code>, <code>none</code> or workspace slugs
          separated by semicolons (<code>{example.workspaces}</code>); <code>workspaceRoles</code> gives a
          role in a workspace as <code>{example.workspaceRoles}</code> (<code>none</code> removes them);{" "}
          <code>expiresAt</code> is a date and time such as <code>2027-01-31T17:00:00Z</code>;{" "}
          <code>status</code> <code>active</code> or <code>inactive</code> reactivates or deactivates a user.
          An export from this page has these columns and imports back as it is. Other products&rsquo; headings
          read too: <code>E-mail</code>, <code>Name</code> (split into first and last name),{" "}
          <code>Active</code>, and <code>User Role</code> for the work role.
        </p>
        <ul className="import-rules">
          <li>
            A row whose email matches a user updates that user; blank cells keep the user&rsquo;s values.
          </li>
          <li>
            Any other row creates a user, who is sent an invitation (it needs a first and last name, a
            username and a role).
          </li>
          <li>All or nothing: if any row has an error, nothing is imported.</li>
        </ul>
        <Field
          label="CSV file"
          type="file"
          accept=".csv,text/csv"
          hint={`Choosing a file checks it; nothing is written until you press Import. Up to ${MAX_IMPORT_ROWS.toLocaleString("en-GB")} rows.`}
          disabled={phase === "importing"}
          onChange={choose}
        />
        <div role="status" className="import-status">
          {phase === "checking" && (
            <p className="loading" aria-busy="true">
              Checking the file…
            </p>
          )}
          {checked && phase !== "checking" && (
            <p>
              <strong>{checked.name}</strong>: {summaryWords(checked.report)}.
              {checked.report.rows.length === 0 && " The file has no rows to import."}
              {checked.report.failed > 0 &&
                " Correct the rows with errors in the file and choose it again: nothing has been written."}
            </p>
          )}
        </div>
        {report && report.rows.length > 0 && <ImportReportTable report={report} />}
      </div>
      <ErrorAlert>{error}</ErrorAlert>
      <div className="actions">
        <button type="button" onClick={props.onClose} disabled={phase === "importing"}>
          Cancel
        </button>
        <button
          type="button"
          className="primary"
          onClick={runImport}
          disabled={busy || !report || !importable(report)}
          aria-busy={phase === "importing"}
        >
          Import
        </button>
      </div>
    </Dialog>
  );
}

function columnList() {
  return IMPORT_COLUMNS.map((c, i) => (
    <span key={c}>
      {i > 0 && ", "}
      <code>{c}</code>
    </span>
  ));
}

/** One row per line of the file: its line, its email and what the import will do with it. */
function ImportReportTable({ report }: { readonly report: ImportReport }) {
  return (
    <ScrollBox className="import-report" label="What the import will do, line by line">
      <ListTable
        items={report.rows}
        caption="What the import will do, line by line"
        className="table import-report-table"
        columns={["Line", "Email", "What will happen"]}
        row={(row) => (
          <tr key={row.line} className={row.action === "error" ? "import-row-error" : undefined}>
            <td>{row.line}</td>
            <td>{row.email ?? ""}</td>
            <td>{rowOutcome(row)}</td>
          </tr>
        )}
      />
    </ScrollBox>
  );
}
