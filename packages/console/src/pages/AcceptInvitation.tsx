/** `/accept-invitation#token=…`: the invited user chooses a password; the account becomes active. */
import { useApi } from "../session.tsx";
import { LinkPasswordPage, type LinkPasswordTexts } from "./ResetPassword.tsx";

const INVITATION: LinkPasswordTexts = {
  title: "Accept invitation",
  intro: "Choose a password to start using your account.",
  submit: "Set password",
  done: "Your password is set and your account is active. Sign in with your new password.",
  invalid: (
    <p>
      This invitation link has expired or was already used. Ask your administrator to send you a new
      invitation.
    </p>
  ),
};

export function AcceptInvitationPage() {
  const api = useApi();
  return (
    <LinkPasswordPage
      texts={INVITATION}
      field="password"
      send={(token, password) => api.credentials.acceptInvitation({ token, password })}
    />
  );
}
