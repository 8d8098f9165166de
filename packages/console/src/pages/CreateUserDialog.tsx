/**
 * "Create New User": a modal with tabs "User Information" and "Roles" around one form. The API's
 * field errors (`errors[].path`) are shown beside their fields; the first tab holding one opens.
 */
import { type FormEvent, type KeyboardEvent, useEffect, useId, useRef, useState } from "react";
import { fieldErrors, problemMessage } from "../api.ts";
import { Field, SelectField } from "../components/Field.tsx";
import { useApi } from "../session.tsx";
import type { CreateUserInput, Role, User } from "../types.ts";

type Tab = "info" | "roles";
const TABS: readonly { id: Tab; label: string }[] = [
  { id: "info", label: "User Information" },
  { id: "roles", label: "Roles" },
];
/** Which tab shows the field an error path starts with. */
const ROLE_FIELDS = new Set(["roleId", "workspaceAccess", "workspaceRoles"]);
const INFO_FIELDS = new Set(["firstName", "lastName", "email", "username", "workRole", "phone", "password"]);

function tabOf(path: string): Tab | null {
  const head = path.split(".")[0] ?? "";
  if (ROLE_FIELDS.has(head)) return "roles";
  if (INFO_FIELDS.has(head)) return "info";
  return null;
}

export function CreateUserDialog(props: { onClose: () => void; onCreated: (user: User) => void }) {
  const api = useApi();
  const dialog = useRef<HTMLDialogElement>(null);
  const ids = useId();
  const [tab, setTab] = useState<Tab>("info");
  const [form, setForm] = useState({
    firstName: "",
    lastName: "",
    email: "",
    username: "",
    workRole: "",
    phone: "",
    roleId: "",
    passwordMode: "invite" as "invite" | "set",
    password: "",
    mustChangePassword: true,
  });
  const [roles, setRoles] = useState<Role[] | null>(null);
  const [rolesError, setRolesError] = useState<string | null>(null);
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  useEffect(() => {
    const d = dialog.current;
    if (d && !d.open) d.showModal();
  }, []);

  useEffect(() => {
    let live = true;
    api.roles.list({ limit: 200 }).then(
      (page) => {
        if (live) setRoles(page.items.filter((r) => !r.private));
      },
      (e: unknown) => {
        if (live) setRolesError(problemMessage(e));
      },
    );
    return () => {
      live = false;
    };
  }, [api]);

  const set =
    <K extends keyof typeof form>(key: K) =>
    (value: (typeof form)[K]) =>
      setForm((f) => ({ ...f, [key]: value }));

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setBusy(true);
    setError(null);
    setErrors({});
    const body: CreateUserInput = {
      firstName: form.firstName,
      lastName: form.lastName,
      email: form.email,
      username: form.username,
      roleId: form.roleId,
      ...(form.workRole.trim() ? { workRole: form.workRole } : {}),
      ...(form.phone.trim() ? { phone: form.phone } : {}),
      ...(form.passwordMode === "set"
        ? { password: form.password, mustChangePassword: form.mustChangePassword }
        : {}),
    };
    try {
      const user = await api.users.create(body);
      props.onCreated(user);
    } catch (e) {
      const byField = fieldErrors(e);
      setErrors(byField);
      const paths = Object.keys(byField);
      const shown = paths.filter((p) => tabOf(p) !== null);
      // Errors no field shows (or none at all) are said above the form.
      if (shown.length < paths.length || paths.length === 0) setError(problemMessage(e));
      const first = shown.map(tabOf)[0];
      if (first) setTab(first);
      setBusy(false);
    }
  };

  // Arrow keys move between tabs (WAI-ARIA tabs pattern).
  const onTabKey = (event: KeyboardEvent<HTMLButtonElement>) => {
    if (event.key !== "ArrowRight" && event.key !== "ArrowLeft") return;
    event.preventDefault();
    const next = tab === "info" ? "roles" : "info";
    setTab(next);
    document.getElementById(`${ids}-tab-${next}`)?.focus();
  };

  const tabHasError = (t: Tab) => Object.keys(errors).some((p) => tabOf(p) === t);

  return (
    <dialog ref={dialog} className="dialog" aria-labelledby={`${ids}-title`} onClose={props.onClose}>
      <form onSubmit={submit} aria-busy={busy} noValidate>
        <h2 id={`${ids}-title`}>Create New User</h2>
        <div role="tablist" aria-label="Create New User" className="tabs">
          {TABS.map((t) => (
            <button
              key={t.id}
              type="button"
              role="tab"
              id={`${ids}-tab-${t.id}`}
              aria-selected={tab === t.id}
              aria-controls={`${ids}-panel-${t.id}`}
              tabIndex={tab === t.id ? 0 : -1}
              onClick={() => setTab(t.id)}
              onKeyDown={onTabKey}
            >
              {t.label}
              {tabHasError(t.id) && <span className="tab-error"> (has errors)</span>}
            </button>
          ))}
        </div>

        <div
          role="tabpanel"
          id={`${ids}-panel-info`}
          aria-labelledby={`${ids}-tab-info`}
          hidden={tab !== "info"}
        >
          <Field
            label="First name"
            value={form.firstName}
            onChange={(e) => set("firstName")(e.target.value)}
            error={errors.firstName}
            autoComplete="off"
            required
          />
          <Field
            label="Last name"
            value={form.lastName}
            onChange={(e) => set("lastName")(e.target.value)}
            error={errors.lastName}
            autoComplete="off"
            required
          />
          <Field
            label="Email"
            type="email"
            value={form.email}
            onChange={(e) => set("email")(e.target.value)}
            error={errors.email}
            autoComplete="off"
            required
          />
          <Field
            label="Username"
            value={form.username}
            onChange={(e) => set("username")(e.target.value)}
            error={errors.username}
            autoComplete="off"
            required
          />
          <Field
            label="Work role"
            value={form.workRole}
            onChange={(e) => set("workRole")(e.target.value)}
            error={errors.workRole}
            hint="For example: physician, nurse, clinical staff, clerical/billing staff."
          />
          <Field
            label="Phone"
            type="tel"
            value={form.phone}
            onChange={(e) => set("phone")(e.target.value)}
            error={errors.phone}
          />
          <fieldset className="choice">
            <legend>Password</legend>
            <label>
              <input
                type="radio"
                name="passwordMode"
                checked={form.passwordMode === "invite"}
                onChange={() => set("passwordMode")("invite")}
              />
              Send an invitation email to set a password
            </label>
            <label>
              <input
                type="radio"
                name="passwordMode"
                checked={form.passwordMode === "set"}
                onChange={() => set("passwordMode")("set")}
              />
              Set password manually
            </label>
          </fieldset>
          {form.passwordMode === "set" && (
            <>
              <Field
                label="New password"
                type="password"
                autoComplete="new-password"
                value={form.password}
                onChange={(e) => set("password")(e.target.value)}
                error={errors.password}
                required
              />
              <label className="check">
                <input
                  type="checkbox"
                  checked={form.mustChangePassword}
                  onChange={(e) => set("mustChangePassword")(e.target.checked)}
                />
                Must change the password at next sign-in
              </label>
            </>
          )}
        </div>

        <div
          role="tabpanel"
          id={`${ids}-panel-roles`}
          aria-labelledby={`${ids}-tab-roles`}
          hidden={tab !== "roles"}
        >
          <SelectField
            label="Role"
            value={form.roleId}
            onChange={(e) => set("roleId")(e.target.value)}
            error={errors.roleId}
            required
          >
            <option value="">{roles ? "Choose a role" : "Loading roles…"}</option>
            {roles?.map((r) => (
              <option key={r.id} value={r.id}>
                {r.name}
              </option>
            ))}
          </SelectField>
          {rolesError && (
            <p role="alert" className="error">
              {rolesError}
            </p>
          )}
        </div>

        {error && (
          <div role="alert" className="error">
            <p>{error}</p>
            {Object.entries(errors)
              .filter(([path]) => tabOf(path) === null)
              .map(([path, message]) => (
                <p key={path}>
                  {path}: {message}
                </p>
              ))}
          </div>
        )}
        <div className="actions">
          <button type="button" onClick={() => dialog.current?.close()} disabled={busy}>
            Cancel
          </button>
          <button type="submit" className="primary" disabled={busy}>
            Save
          </button>
        </div>
      </form>
    </dialog>
  );
}
