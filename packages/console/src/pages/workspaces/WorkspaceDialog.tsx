/**
 * "Create Workspace" and "Edit workspace": name, unique URL ID (a new workspace's suggested from
 * its name until typed), protection and the idle-timeout override (typed in minutes, sent in
 * seconds; a fraction of a minute stands for seconds). An edit sends only what changed, with If-Match.
 */
import { useState } from "react";
import { problemCode } from "../../api.ts";
import { Field } from "../../components/Field.tsx";
import { FormDialog } from "../../components/FormDialog.tsx";
import { type FieldErrors, type Refusal, refusalOn, useSubmit } from "../../components/useSubmit.ts";
import { useApi } from "../../session.tsx";
import { IDLE_TIMEOUT_MAX_MINUTES } from "../settings/fields.ts";
import { slugOf } from "./slug.ts";
import type { Workspace } from "./useWorkspaces.ts";

const FIELDS = ["name", "slug", "protected", "idleMinutes"];
/** The form takes the idle timeout in minutes; the API names it in seconds. */
const RENAME = { idleTimeoutSeconds: "idleMinutes" };

// Two decimals at most: 100 s shows as 1.67 (sent back only if changed, see idleChanged).
const initialMinutes = (w: Workspace) =>
  w.idleTimeoutSeconds != null ? String(Math.round((w.idleTimeoutSeconds / 60) * 100) / 100) : "";

/** 1 to the maximum, in minutes; fractions stand for seconds (1.5 is 90 s). */
function isIdleMinutes(text: string): boolean {
  if (!/^\d+(\.\d+)?$/.test(text)) return false;
  const seconds = Math.round(Number(text) * 60);
  return seconds >= 60 && seconds <= IDLE_TIMEOUT_MAX_MINUTES * 60;
}

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
    idleMinutes: editing ? initialMinutes(editing) : "",
  });
  // A new workspace's URL ID follows its name until it is typed by hand.
  const [slugTyped, setSlugTyped] = useState(Boolean(editing));
  const { errors, formProps, once } = useSubmit();
  const minutes = form.idleMinutes.trim();
  // The API keeps seconds and may hold a value that is not a whole number of minutes (90 s, set
  // over the API or Provet's "limit in seconds"): shown as 1.5, it is sent back only when changed.
  const idleChanged = !editing || minutes !== initialMinutes(editing);

  const check = (): FieldErrors =>
    idleChanged && minutes !== "" && !isIdleMinutes(minutes)
      ? { idleMinutes: `must be a number of minutes from 1 to ${IDLE_TIMEOUT_MAX_MINUTES}` }
      : {};
  const send = async () => {
    const idleTimeoutSeconds = minutes === "" ? null : Math.round(Number(minutes) * 60);
    let saved: Workspace;
    if (editing) {
      const body = {
        ...(form.name !== editing.name ? { name: form.name } : {}),
        ...(form.slug !== editing.slug ? { slug: form.slug } : {}),
        ...(form.protected !== editing.protected ? { protected: form.protected } : {}),
        ...(idleChanged && idleTimeoutSeconds !== editing.idleTimeoutSeconds ? { idleTimeoutSeconds } : {}),
      };
      saved = await api.workspaces.update(editing.id, body, { ifMatch: editing.version });
    } else {
      saved = await once(api).workspaces.create({
        name: form.name,
        slug: form.slug,
        protected: form.protected,
        idleTimeoutSeconds,
      });
    }
    props.onSaved(saved);
  };
  const refused = (e: unknown): Refusal => {
    const refusal = refusalOn(e, FIELDS, RENAME);
    if (problemCode(e) !== "PRECONDITION_FAILED") return refusal;
    return {
      fields: refusal.fields,
      message: "Someone else changed this workspace since you opened it. Close this and edit it again.",
    };
  };

  return (
    <FormDialog
      title={editing ? `Edit workspace ${editing.name}` : "Create Workspace"}
      onClose={props.onClose}
      {...formProps({ check, send, refused })}
      submitLabel={editing ? "Save" : "Create"}
    >
      <Field
        label="Name"
        value={form.name}
        onChange={(e) => {
          const name = e.target.value;
          setForm((f) => ({ ...f, name, ...(slugTyped ? {} : { slug: slugOf(name) }) }));
        }}
        error={errors.name}
        maxLength={80}
        autoComplete="off"
        required
      />
      <Field
        label="Unique URL ID (slug)"
        value={form.slug}
        onChange={(e) => {
          const slug = e.target.value;
          // Emptied by hand, it follows the name again.
          setSlugTyped(slug !== "");
          setForm((f) => ({ ...f, slug }));
        }}
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
        inputMode="decimal"
        step="any"
        min={1}
        max={IDLE_TIMEOUT_MAX_MINUTES}
        value={form.idleMinutes}
        onChange={(e) => setForm((f) => ({ ...f, idleMinutes: e.target.value }))}
        error={errors.idleMinutes}
        hint={`Signs people out after this long without activity in this workspace (1–${IDLE_TIMEOUT_MAX_MINUTES}). Empty: the tenant's setting.`}
      />
    </FormDialog>
  );
}
