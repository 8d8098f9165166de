/**
 * "Turn off two-factor sign-in": asks the password again (ASVS 7.5.1) and says so when the
 * practice requires two-factor sign-in of this account, or when the password is too short to be
 * used alone.
 */
import { problemCode } from "../../api.ts";
import type { Refusal } from "../../components/useSubmit.ts";
import { useApi } from "../../session.tsx";
import { PasswordAgainDialog } from "./PasswordAgainDialog.tsx";

export function DisableMfaDialog(props: { readonly onClose: () => void; readonly onDone: () => void }) {
  const api = useApi();
  const refusal = (e: unknown): Refusal | undefined => {
    const code = problemCode(e);
    if (code === "PASSWORD_TOO_SHORT_ALONE") {
      return {
        fields: { password: "Your password is too short to be used without two-factor sign-in." },
        message:
          "Change your password to a longer one first (Password tab), then turn two-factor sign-in off.",
      };
    }
    if (code === "MFA_REQUIRED") {
      return {
        fields: {},
        message: "Your practice requires two-factor sign-in for your account, so it cannot be turned off.",
      };
    }
    return undefined;
  };
  return (
    <PasswordAgainDialog
      title="Turn off two-factor sign-in"
      submitLabel="Turn off"
      danger
      submit={async (password) => {
        await api.mfa.disable(password);
        props.onDone();
      }}
      refusal={refusal}
      onClose={props.onClose}
    >
      <p>
        Without it, your password alone opens your account. Your recovery codes and remembered devices stop
        working.
      </p>
    </PasswordAgainDialog>
  );
}
