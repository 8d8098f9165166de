/**
 * "Restore" of an archived user whose account expiry has passed: the server restores only with a
 * new expiry in the future or none (PRODUCT.md), so the dialog asks for it instead of failing.
 */
import { useState } from "react";
import { ExpiresField, expiresProblem, instantOf } from "../../components/ExpiresField.tsx";
import { FormDialog } from "../../components/FormDialog.tsx";
import { useSubmit } from "../../components/useSubmit.ts";
import { formatDateTime } from "../../dates.ts";
import { useApi } from "../../session.tsx";
import type { User } from "../../types.ts";

/** An archived account whose expiry lies behind it: restore needs a new one. */
export const expired = (u: User): boolean =>
  u.expiresAt !== null && new Date(u.expiresAt).getTime() <= Date.now();

export function RestoreExpiredDialog(props: {
  readonly user: User;
  readonly onClose: () => void;
  readonly onDone: (message: string) => void;
}) {
  const api = useApi();
  const { user } = props;
  const [expires, setExpires] = useState("");
  const { errors, formProps } = useSubmit();
  const check = (): Record<string, string> => {
    const incomplete = expiresProblem(expires);
    return incomplete ? { expiresAt: incomplete } : {};
  };
  const send = async () => {
    const restored = await api.userActions.restore(
      user.id,
      { expiresAt: expires ? instantOf(expires) : null },
      { ifMatch: user.version },
    );
    props.onClose();
    props.onDone(`${user.displayName} was restored (now ${restored.status}).`);
  };
  return (
    <FormDialog
      title={`Restore ${user.displayName}`}
      onClose={props.onClose}
      submitLabel="Restore"
      {...formProps({ check, send, fields: ["expiresAt"] })}
    >
      <p>
        The account expired on {formatDateTime(user.expiresAt ?? "")}. Give it a new expiry, or leave it empty
        for none.
      </p>
      <ExpiresField
        label="New expiry"
        value={expires}
        onChange={setExpires}
        error={errors.expiresAt}
        hint="Empty: the account does not expire."
      />
    </FormDialog>
  );
}
