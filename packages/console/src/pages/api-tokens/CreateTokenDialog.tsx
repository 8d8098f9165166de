/**
 * "Create API token": a name, the role its integration user holds, and an optional expiry. The
 * answer carries the token itself, which the caller shows once and then forgets.
 */
import type { Staffgate } from "@staffgate/sdk";
import { type FormEvent, useState } from "react";
import { fieldErrors, problemMessage } from "../../api.ts";
import { Dialog } from "../../components/Dialog.tsx";
import { Field, SelectField } from "../../components/Field.tsx";
import { useApi } from "../../session.tsx";
import type { Role } from "../../types.ts";

export type CreatedToken = Awaited<ReturnType<Staffgate["apiTokens"]["create"]>>;

const KNOWN_FIELDS = new Set(["name", "roleId", "expiresAt"]);

export function CreateTokenDialog(props: {
  readonly roles: Role[] | null;
  readonly rolesError: string | null;
  readonly onClose: () => void;
  readonly onCreated: (created: CreatedToken) => void;
}) {
  const api = useApi();
  const [name, setName] = useState("");
  const [roleId, setRoleId] = useState("");
  const [expires, setExpires] = useState("");
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setError(null);
    const missing: Record<string, string> = {};
    if (!name.trim()) missing.name = "is required";
    if (!roleId) missing.roleId = "Choose the role the integration acts with.";
    if (Object.keys(missing).length > 0) {
      setErrors(missing);
      return;
    }
    setBusy(true);
    setErrors({});
    try {
      const created = await api.apiTokens.create({
        name: name.trim(),
        roleId,
        // datetime-local is the person's local time; the API takes an instant.
        ...(expires ? { expiresAt: new Date(expires).toISOString() } : {}),
      });
      props.onCreated(created);
    } catch (e) {
      const byField = fieldErrors(e);
      setErrors(byField);
      if (!Object.keys(byField).some((p) => KNOWN_FIELDS.has(p))) setError(problemMessage(e));
      setBusy(false);
    }
  };

  return (
    <Dialog title="Create API token" onClose={props.onClose}>
      <form onSubmit={submit} aria-busy={busy} noValidate>
        <Field
          label="Name"
          value={name}
          onChange={(e) => setName(e.target.value)}
          error={errors.name}
          hint="What uses it, e.g. the scheduling system. Its integration user is named after it."
          maxLength={80}
          autoComplete="off"
          required
        />
        <SelectField
          label="Role"
          value={roleId}
          onChange={(e) => setRoleId(e.target.value)}
          error={errors.roleId}
        >
          <option value="">{props.roles ? "Choose a role" : "Loading roles…"}</option>
          {props.roles?.map((r) => (
            <option key={r.id} value={r.id}>
              {r.name}
            </option>
          ))}
        </SelectField>
        {props.rolesError && (
          <p role="alert" className="error">
            {props.rolesError}
          </p>
        )}
        <Field
          label="Expires (optional)"
          type="datetime-local"
          value={expires}
          onChange={(e) => setExpires(e.target.value)}
          error={errors.expiresAt}
          hint="Empty: until it is revoked."
        />
        {error && (
          <p role="alert" className="error">
            {error}
          </p>
        )}
        <div className="actions">
          <button type="button" onClick={props.onClose} disabled={busy}>
            Cancel
          </button>
          <button type="submit" className="primary" disabled={busy}>
            Create
          </button>
        </div>
      </form>
    </Dialog>
  );
}
