/**
 * API tokens for integrations: the list (never a token: the API cannot answer one again),
 * "Create API token" → the token shown once with Copy, and "Revoke" (confirmed). A token holds a
 * role its maker covers (the server refuses others with 403), so the form offers only those, as
 * Create New User does, judged by the same coverage.
 */
import type { Staffgate } from "@staffgate/sdk";
import { useState } from "react";
import { ConfirmDialog } from "../components/ConfirmDialog.tsx";
import { ListTable } from "../components/ListTable.tsx";
import { LoadState } from "../components/LoadState.tsx";
import { Notice } from "../components/Messages.tsx";
import { NoAccess } from "../components/NoAccess.tsx";
import { useLoad } from "../components/useLoad.ts";
import { useApi, useSession } from "../session.tsx";
import "../styles/admin.css";
import { formatDateTime } from "../dates.ts";
import type { Role } from "../types.ts";
import { type CreatedToken, CreateTokenDialog } from "./api-tokens/CreateTokenDialog.tsx";
import { TokenCreatedDialog } from "./api-tokens/TokenCreatedDialog.tsx";
import { coverageOf, holdingOf } from "./roles/coverage.ts";
import { useGrantOptions } from "./roles/grantOptions.ts";

type ApiToken = Awaited<ReturnType<Staffgate["apiTokens"]["list"]>>["items"][number];

function statusOf(t: ApiToken, now: string): string {
  if (t.revokedAt) return `Revoked ${formatDateTime(t.revokedAt)}`;
  if (t.expiresAt && t.expiresAt <= now) return "Expired";
  // Refused until its maker holds its role again (docs/decisions.md, "Nor does a token hold more").
  if (t.heldBack) return "Held back: its maker no longer holds its role";
  return "Active";
}

export function ApiTokensPage() {
  const { can } = useSession();
  // Checked before anything loads (as Settings is): no refused request, no `authz.failed`.
  if (!can("api_tokens.manage")) {
    return <NoAccess title="API tokens" what="managing API tokens" needs={["api_tokens.manage"]} />;
  }
  return <ApiTokensView />;
}

function ApiTokensView() {
  const api = useApi();
  const { me } = useSession();
  const options = useGrantOptions(api, me.user.id);
  const [state, reload] = useLoad(() => api.apiTokens.list({ limit: 200 }), [api]);
  const [roles] = useLoad<Role[]>(
    async () => (await api.roles.list({ limit: 200 })).items.filter((r) => !r.private),
    [api],
  );
  const [creating, setCreating] = useState(false);
  const [created, setCreated] = useState<CreatedToken | null>(null);
  const [revoking, setRevoking] = useState<ApiToken | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const now = new Date().toISOString();

  const roleName = (id: string | null) => {
    if (id === null) return "None";
    if (roles.kind !== "ready") return "…";
    return roles.value.find((r) => r.id === id)?.name ?? "Private or removed role";
  };

  return (
    <>
      <div className="page-head">
        <h1>API tokens</h1>
        <button
          type="button"
          className="primary"
          onClick={() => {
            setNotice(null);
            setCreating(true);
          }}
        >
          Create API token
        </button>
      </div>
      <p className="muted">
        Each token lets one integration (for example the clinical application) call Staffgate as a virtual
        integration user holding the role you choose.
      </p>
      <Notice>{notice}</Notice>
      <LoadState state={state} loading="Loading API tokens…">
        {(page) => (
          <ListTable
            items={page.items}
            empty="There are no API tokens yet."
            caption="API tokens"
            columns={["Name", "Role", "Created", "Expires", "Last used", "Status", "Actions"]}
            row={(t) => (
              <tr key={t.id}>
                <td>{t.name}</td>
                <td>{roleName(t.roleId)}</td>
                <td>{formatDateTime(t.createdAt)}</td>
                <td>{t.expiresAt ? formatDateTime(t.expiresAt) : "Never"}</td>
                <td>{t.lastUsedAt ? formatDateTime(t.lastUsedAt) : "Never"}</td>
                <td>{statusOf(t, now)}</td>
                <td>
                  {!t.revokedAt && (
                    <button
                      type="button"
                      aria-label={`Revoke ${t.name}`}
                      onClick={() => {
                        setNotice(null);
                        setRevoking(t);
                      }}
                    >
                      Revoke
                    </button>
                  )}
                </td>
              </tr>
            )}
          />
        )}
      </LoadState>
      {creating && (
        <CreateTokenDialog
          roles={roles.kind === "ready" ? roles.value : null}
          coverage={
            options.kind === "ready"
              ? coverageOf(holdingOf(me), options.value.catalog, options.value.reach)
              : null
          }
          rolesError={
            [roles, options].flatMap((s) => (s.kind === "error" ? [s.message] : [])).join(" ") || null
          }
          onClose={() => setCreating(false)}
          onCreated={(c) => {
            setCreating(false);
            setCreated(c);
            reload();
          }}
        />
      )}
      {created && (
        <TokenCreatedDialog
          created={created}
          onClose={() => {
            // The token leaves the page with the dialog; the list is read again (its first use shows).
            setCreated(null);
            setNotice(`API token ${created.name} was created.`);
            reload();
          }}
        />
      )}
      {revoking && (
        <ConfirmDialog
          title="Revoke API token"
          confirmLabel="Revoke"
          danger
          onConfirm={async () => {
            await api.apiTokens.revoke(revoking.id);
            setNotice(`API token ${revoking.name} was revoked. Its next request is refused.`);
          }}
          onClose={() => {
            setRevoking(null);
            reload();
          }}
        >
          <p>
            Revoke the API token <strong>{revoking.name}</strong>? The integration using it is refused from
            its next request, and its integration user is archived. This cannot be undone.
          </p>
        </ConfirmDialog>
      )}
    </>
  );
}
