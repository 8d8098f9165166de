/**
 * "Purge old events…": says what a purge deletes (the events older than the tenant's retention,
 * read from the settings) and what stays true (the rest still verifies, the purge is on record),
 * purges on "Purge" up to the server's own horizon, and keeps a refusal in the dialog.
 */
import { useState } from "react";
import { Dialog } from "../../components/Dialog.tsx";
import { FormActions } from "../../components/FormActions.tsx";
import { LoadState } from "../../components/LoadState.tsx";
import { ErrorAlert } from "../../components/Messages.tsx";
import { useLoad } from "../../components/useLoad.ts";
import { useApi } from "../../session.tsx";
import { horizonOf, horizonText, type PurgeResult, purgeRefusal } from "./purge.ts";

export function PurgeDialog(props: {
  readonly onClose: () => void;
  readonly onPurged: (result: PurgeResult) => void;
}) {
  const api = useApi();
  const [retention] = useLoad(async () => {
    const days = (await api.settings.get()).auditRetentionDays;
    return { days, horizon: horizonOf(days, Date.now()) };
  }, [api]);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);

  const purge = async () => {
    setBusy(true);
    setError(null);
    try {
      // No `before`: the server cuts at its own horizon, so the viewer's clock does not matter.
      props.onPurged(await api.audit.purge());
    } catch (e) {
      setError(purgeRefusal(e));
      setBusy(false);
    }
  };

  return (
    <Dialog title="Purge old audit events" onClose={props.onClose}>
      <div className="dialog-body">
        <LoadState state={retention} loading="Reading the retention period…">
          {({ days, horizon }) => (
            <>
              <p>
                Events older than the retention period of <strong>{days} days</strong> (recorded before{" "}
                <strong>
                  <time dateTime={horizon}>{horizonText(horizon)}</time>
                </strong>
                ) will be deleted permanently. This cannot be undone.
              </p>
              <p>
                The events that remain stay verifiable: the chain is checked from the last deleted event
                onwards. The purge itself is recorded in the audit log, with the number of events deleted and
                the cut-off.
              </p>
            </>
          )}
        </LoadState>
      </div>
      <ErrorAlert>{error}</ErrorAlert>
      <FormActions
        busy={busy}
        onCancel={props.onClose}
        submitLabel={retention.kind === "ready" ? "Purge" : undefined}
        danger
        onAction={purge}
      />
    </Dialog>
  );
}
