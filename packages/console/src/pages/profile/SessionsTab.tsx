/** Profile → Sessions: the user's own sessions, "This session" marked, "End session" for the others. */
import type { Staffgate } from "@staffgate/sdk";
import { useState } from "react";
import { problemCode } from "../../api.ts";
import { ConfirmDialog } from "../../components/ConfirmDialog.tsx";
import { ListTable } from "../../components/ListTable.tsx";
import { LoadState } from "../../components/LoadState.tsx";
import { Notice } from "../../components/Messages.tsx";
import { useLoad } from "../../components/useLoad.ts";
import { formatDateTime } from "../../dates.ts";
import { useApi } from "../../session.tsx";
import { PasswordAgainDialog } from "./PasswordAgainDialog.tsx";

type SessionInfo = Awaited<ReturnType<Staffgate["auth"]["sessions"]>>["items"][number];

const when = (iso: string) => formatDateTime(iso);

/** "Chrome on Linux" from a user agent: enough to recognise one's own devices. */
function describeAgent(ua: string | null): string {
  if (!ua) return "Unknown";
  const browser = /Edg\//.test(ua)
    ? "Edge"
    : /Firefox\//.test(ua)
      ? "Firefox"
      : /Chrom(e|ium)\//.test(ua)
        ? "Chrome"
        : /Safari\//.test(ua)
          ? "Safari"
          : null;
  const system = /Windows/.test(ua)
    ? "Windows"
    : /iPhone|iPad/.test(ua)
      ? "iOS"
      : /Mac OS X/.test(ua)
        ? "macOS"
        : /Android/.test(ua)
          ? "Android"
          : /Linux/.test(ua)
            ? "Linux"
            : null;
  if (!browser) return ua.length > 60 ? `${ua.slice(0, 57)}…` : ua;
  return system ? `${browser} on ${system}` : browser;
}

export function SessionsTab() {
  const api = useApi();
  const [state, reload] = useLoad(() => api.auth.sessions(), [api]);
  const [ending, setEnding] = useState<SessionInfo | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const [askingPassword, setAskingPassword] = useState<SessionInfo | null>(null);
  const ended = () => {
    setNotice("The session was ended: that browser must sign in again.");
    reload();
  };

  return (
    <section aria-labelledby="sessions-title">
      <h2 id="sessions-title">Your sessions</h2>
      <p>Every browser and device signed in to your account. End any you do not recognise.</p>
      <Notice>{notice}</Notice>
      <LoadState state={state} loading="Loading your sessions…">
        {({ items }) => (
          <ListTable
            items={items}
            empty="No sessions."
            caption="Your sessions"
            columns={[
              "Signed in",
              "Last used",
              "Address",
              "Browser",
              <span key="actions" className="visually-hidden">
                Actions
              </span>,
            ]}
            row={(s) => (
              <tr key={s.id} aria-current={s.current ? "true" : undefined}>
                <td>{when(s.createdAt)}</td>
                <td>{when(s.lastUsedAt)}</td>
                <td>{s.ip ?? "Unknown"}</td>
                <td title={s.userAgent ?? undefined}>{describeAgent(s.userAgent)}</td>
                <td>
                  {s.current ? (
                    <span className="tag current">This session</span>
                  ) : (
                    <button type="button" onClick={() => setEnding(s)}>
                      End session
                      <span className="visually-hidden">
                        {" "}
                        {/* To the second: two sessions of one minute and one browser had one name. */}
                        of {describeAgent(s.userAgent)}, signed in{" "}
                        {formatDateTime(s.createdAt, { seconds: true })}
                      </span>
                    </button>
                  )}
                </td>
              </tr>
            )}
          />
        )}
      </LoadState>
      {ending && (
        <ConfirmDialog
          title="End session"
          confirmLabel="End session"
          danger
          onClose={() => setEnding(null)}
          onConfirm={async () => {
            try {
              await api.auth.endSession(ending.id);
            } catch (e) {
              // Long after signing in, the server asks for the password first (ASVS 7.5.2).
              if (problemCode(e) !== "REAUTHENTICATION_REQUIRED") throw e;
              setAskingPassword(ending);
              return;
            }
            ended();
          }}
        >
          <p>
            {describeAgent(ending.userAgent)} at {ending.ip ?? "an unknown address"}, signed in{" "}
            {when(ending.createdAt)}, will be signed out.
          </p>
        </ConfirmDialog>
      )}
      {askingPassword && (
        <PasswordAgainDialog
          title="End session"
          submitLabel="End session"
          danger
          submit={async (password) => {
            try {
              await api.auth.endSession(askingPassword.id, { password });
            } catch (e) {
              if (problemCode(e) !== "NOT_FOUND") throw e;
              // Ended meanwhile (elsewhere, or by its idle limit): nothing left to end.
              setAskingPassword(null);
              setNotice("That session had already ended.");
              reload();
              return;
            }
            setAskingPassword(null);
            ended();
          }}
          onClose={() => setAskingPassword(null)}
        >
          <p>
            You signed in a while ago. Enter your password to confirm it is you before signing out{" "}
            {describeAgent(askingPassword.userAgent)} at {askingPassword.ip ?? "an unknown address"}.
          </p>
        </PasswordAgainDialog>
      )}
    </section>
  );
}
