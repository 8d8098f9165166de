/**
 * The new token, shown this once: the API never answers it again and the console keeps it only
 * while this dialog is open (no storage), so closing it is the last chance to copy it.
 */
import { useId, useState } from "react";
import { Dialog } from "../../components/Dialog.tsx";
import { Field } from "../../components/Field.tsx";
import type { CreatedToken } from "./CreateTokenDialog.tsx";

export function TokenCreatedDialog(props: { readonly created: CreatedToken; readonly onClose: () => void }) {
  const inputId = useId();
  const [copied, setCopied] = useState<"yes" | "failed" | null>(null);

  const copy = async () => {
    try {
      await navigator.clipboard.writeText(props.created.token);
      setCopied("yes");
    } catch {
      // No clipboard permission: leave the token selected for the keyboard's copy.
      (document.getElementById(inputId) as HTMLInputElement | null)?.select();
      setCopied("failed");
    }
  };

  return (
    <Dialog title="Created: copy it now" onClose={props.onClose}>
      <p className="warning">
        <strong>Copy this token now. It will not be shown again.</strong> Anyone who holds it can act as the
        integration <strong>{props.created.name}</strong>; keep it in the integration’s secret store.
      </p>
      <div className="token-box">
        <Field
          id={inputId}
          label="API token"
          value={props.created.token}
          readOnly
          spellCheck={false}
          autoComplete="off"
          onFocus={(e) => e.target.select()}
        />
        <button type="button" className="primary" onClick={copy}>
          Copy
        </button>
      </div>
      <p role="status" className={copied === "failed" ? "error" : "notice"} hidden={copied === null}>
        {copied === "yes" && "The token was copied."}
        {copied === "failed" &&
          "The token could not be copied here: it is selected, so press Ctrl+C (⌘C) to copy it."}
      </p>
      <div className="actions">
        <button type="button" onClick={props.onClose}>
          Done
        </button>
      </div>
    </Dialog>
  );
}
