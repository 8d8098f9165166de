/**
 * "Create Workspace" and "Edit workspace": name, unique URL ID, protection and the idle-timeout
 * override (typed in minutes, sent in seconds). An edit sends only what changed, with If-Match.
 */
import { type FormEvent, useState } from "react";
import { fieldErrors, problemCode, problemMessage } from "../../api.ts";
import { Dialog } from "../../components/Dialog.tsx";
import { Field } from "../../components/Field.tsx";
import { useApi } from "../../session.tsx";
import type { Workspace } from "./useWorkspaces.ts";

/** The API's field paths, as the form's fields. */
const FIELD_OF_PATH: Readonly<Record<string, string>> = {
  name: "name",
  slug: "slug",
  protected: "protected",
  idleTimeoutSeconds: "idleMinutes",
};

export function WorkspaceDialog(props: {
  /** Absent: create a new workspace. */
  readonly workspace?: Workspace;
  readonly onClose: () => void;
  readonly onSaved: (workspace: Workspace) => void;
}) {
  const api = useApi();
  const editing = props.workspace;
  const [form, setForm] = useState({
    name: editing?.name ?? "",
    slug: editing?.slug ?? "",
    protected: editing?.protected ?? true,
    idleMinutes: editing?.idleTimeoutSeconds != null ? String(editing.idleTimeoutSeconds / 60) : "",
  });
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setError(null);
    const minutes = form.idleMinutes.trim();
    if (minutes !== "" && !(/^\d+$/.test(minutes) && Number(minutes) >= 1 && Number(minutes) <= 1440)) {
      setErrors({ idleMinutes: "must be a whole number of minutes from 1 to 1440" });
      return;
    }
    const idleTimeoutSeconds = minutes === "" ? null : Number(minutes) * 60;
    setBusy(true);
    setErrors({});
    try {
      let saved: Workspace;
      if (editing) {
        const body = {
          ...(form.name !== editing.name ? { name: form.name } : {}),
          ...(form.slug !== editing.slug ? { slug: form.slug } : {}),
          ...(form.protected !== editing.protected ? { protected: form.protected } : {}),
          ...(idleTimeoutSeconds !== editing.idleTimeoutSeconds ? { idleTimeoutSeconds } : {}),
        };
        saved = await api.workspaces.update(editing.id, body, { ifMatch: editing.version });
      } else {
        saved = await api.workspaces.create({
          name: form.name,
          slug: form.slug,
          protected: form.protected,
          idleTimeoutSeconds,
        });
      }
      props.onSaved(saved);
    } catch (e) {
      const byField: Record<string, string> = {};
      for (const [path, message] of Object.entries(fieldErrors(e))) {
        const field = FIELD_OF_PATH[path];
        if (field) byField[field] = message;
      }
      setErrors(byField);
      if (problemCode(e) === "PRECONDITION_FAILED") {
        setError("Someone else changed this workspace since you opened it. Close this and edit it again.");
      } else if (Object.keys(byField).length === 0) {
        setError(problemMessage(e));
      }
      setBusy(false);
    }
  };

  return (
    <Dialog title={editing ? `Edit workspace ${editing.name}` : "Create Workspace"} onClose={props.onClose}>
      <form onSubmit={submit} aria-busy={busy} noValidate>
        <Field
          label="Name"
          value={form.name}
          onChange={(e) => setForm((f) => ({ ...f, name: e.target.value }))}
          error={errors.name}
          maxLength={80}
          autoComplete="off"
          required
        />
        <Field
          label="Unique URL ID"
          value={form.slug}
          onChange={(e) => setForm((f) => ({ ...f, slug: e.target.value }))}
          error={errors.slug}
          hint="Lower-case letters and digits, groups joined by single hyphens (e.g. north-clinic); at most 40."
          maxLength={40}
          autoComplete="off"
          spellCheck={false}
          required
        />
        <label className="check">
          <input
            type="checkbox"
            checked={form.protected}
            onChange={(e) => setForm((f) => ({ ...f, protected: e.target.checked }))}
          />
          Protected from deletion
        </label>
        {errors.protected && <p className="field-error">{errors.protected}</p>}
        <Field
          label="Idle timeout override (minutes)"
          type="number"
          inputMode="numeric"
          min={1}
          max={1440}
          value={form.idleMinutes}
          onChange={(e) => setForm((f) => ({ ...f, idleMinutes: e.target.value }))}
          error={errors.idleMinutes}
          hint="Signs people out after this long without activity in this workspace (1–1440). Empty: the tenant's setting."
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
            {editing ? "Save" : "Create"}
          </button>
        </div>
      </form>
    </Dialog>
  );
}
