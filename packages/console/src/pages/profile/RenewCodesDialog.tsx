/**
 * "New recovery codes": asks the password again; the ten new codes replace every earlier one and
 * are shown once by the Two-factor tab.
 */
import { useApi } from "../../session.tsx";
import { PasswordAgainDialog } from "./PasswordAgainDialog.tsx";

export function RenewCodesDialog(props: {
  readonly onClose: () => void;
  readonly onDone: (codes: readonly string[]) => void;
}) {
  const api = useApi();
  return (
    <PasswordAgainDialog
      title="New recovery codes"
      submitLabel="Make new codes"
      submit={async (password) => {
        const { recoveryCodes } = await api.mfa.renewRecoveryCodes(password);
        props.onDone(recoveryCodes);
      }}
      onClose={props.onClose}
    >
      <p>Ten new codes replace all your earlier ones, used or not: the old codes stop working at once.</p>
    </PasswordAgainDialog>
  );
}
