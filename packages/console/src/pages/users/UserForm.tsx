/**
 * The one user form behind "Create New User" and "Edit": tabs "User Information" and "Roles".
 * Empty required fields and choices are caught here, on both tabs at once; the API's field errors
 * (`errors[].path`) are shown beside their fields. The tab shown stays if it holds an error, else
 * the first tab holding one opens; its first invalid field takes focus. A field's error (and its
 * tab's mark) goes as soon as the field is changed. Errors no field shows are said above the
 * buttons. Escape or × asks before throwing away what was typed.
 */
import { type FormEvent, type ReactNode, useEffect, useRef, useState } from "react";
import { fieldErrors, problemMessage } from "../../api.ts";
import { FormActions } from "../../components/FormActions.tsx";
import { focusFirstInvalid } from "../../components/keepFocus.ts";
import { ErrorAlert } from "../../components/Messages.tsx";
import { standingErrors } from "../../components/standingErrors.ts";
import { Tabs } from "../../components/Tabs.tsx";
import { useDiscardGuard } from "../../components/useDiscardGuard.ts";
import { useSession } from "../../session.tsx";
import type { UserOptions } from "./options.ts";
import { UserInfoFields } from "./UserInfoFields.tsx";
import { UserRolesFields } from "./UserRolesFields.tsx";
import { missingChoices, type Tab, tabOf, type UserFormValues, valueAtPath } from "./userFormValues.ts";

interface Refused {
  readonly errors: Readonly<Record<string, string>>;
  /** The values the errors were said about. */
  readonly values: UserFormValues;
}

export function UserForm(props: {
  readonly mode: "create" | "edit";
  /** Names the tab list, e.g. "Create New User". */
  readonly label: string;
  readonly initial: UserFormValues;
  readonly options: UserOptions;
  readonly privateRoleId?: string | undefined;
  readonly ownRole?: boolean;
  /** Edit: offer the "Password" part (keep, type or generate one: W8). */
  readonly passwordSettable?: boolean;
  /** Edit: offer the "Virtual user" switch, from this value (not on one's own account). */
  readonly wasVirtual?: boolean | undefined;
  /** Saves; throws the API's refusal. `hasProfessionalId`: the chosen work role carries one. */
  readonly onSubmit: (values: UserFormValues, hasProfessionalId: boolean) => Promise<void>;
  /** Takes over a refusal the form should not show itself (true: handled). */
  readonly onError?: (error: unknown) => boolean;
  readonly onCancel: () => void;
  /** Shown above the buttons, e.g. that someone else changed the user meanwhile. */
  readonly notice?: ReactNode;
  /**
   * Edit of an archived user: only the Roles tab can change (the API refuses the rest until a
   * restore), so it opens there and the User Information fields are shown disabled.
   */
  readonly archived?: boolean;
}) {
  const { me } = useSession();
  const [tab, setTab] = useState<Tab>(props.archived ? "roles" : "info");
  const [values, setValues] = useState(props.initial);
  const [refused, setRefused] = useState<Refused>({ errors: {}, values: props.initial });
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const form = useRef<HTMLFormElement>(null);
  const errors = standingErrors(refused.errors, refused.values, values, valueAtPath);
  const changed = JSON.stringify(values) !== JSON.stringify(props.initial);
  useDiscardGuard(
    !changed
      ? null
      : props.mode === "create"
        ? "Discard this new user? What you entered is not saved."
        : "Discard your changes to this user? They are not saved.",
  );

  useEffect(() => {
    if (form.current && Object.keys(refused.errors).length > 0) focusFirstInvalid(form.current);
  }, [refused]);

  const set = <K extends keyof UserFormValues>(key: K, value: UserFormValues[K]) =>
    setValues((v) => ({ ...v, [key]: value }));

  const showErrors = (byField: Record<string, string>) => {
    setRefused({ errors: byField, values });
    const tabs = Object.keys(byField).map(tabOf);
    if (tabs.includes(tab)) return;
    const first = (["info", "roles"] as const).find((t) => tabs.includes(t));
    if (first) setTab(first);
  };

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setError(null);
    const missing = missingChoices(
      values,
      props.mode,
      props.mode === "edit" ? props.initial : undefined,
      me.user.workspaceAccess,
    );
    if (Object.keys(missing).length > 0) {
      showErrors(missing);
      return;
    }
    setBusy(true);
    setRefused({ errors: {}, values });
    const workRole = props.options.workRoles.find((w) => w.name === values.workRole);
    try {
      await props.onSubmit(values, Boolean(workRole?.professionalIdLabel));
    } catch (e) {
      if (props.onError?.(e)) {
        setBusy(false);
        return;
      }
      const byField = fieldErrors(e);
      const paths = Object.keys(byField);
      const unshown = paths.filter((p) => tabOf(p) === null);
      if (unshown.length > 0 || paths.length === 0) {
        setError([problemMessage(e), ...unshown.map((p) => `${p}: ${byField[p]}`)].join(" "));
      }
      showErrors(byField);
    }
    setBusy(false);
  };

  const invalid = (t: Tab) => Object.keys(errors).some((p) => tabOf(p) === t);
  const fields = { mode: props.mode, values, errors, set };

  return (
    <form ref={form} onSubmit={submit} aria-busy={busy} noValidate className="user-form">
      {props.archived && (
        <p className="hint">
          This user is archived: only their role, workspaces and workspace roles can be changed (to free a
          role you want to delete, say). Restore them to edit the rest.
        </p>
      )}
      <Tabs
        label={props.label}
        selected={tab}
        onSelect={setTab}
        tabs={[
          {
            id: "info",
            label: "User Information",
            invalid: invalid("info"),
            panel: (
              <fieldset disabled={props.archived} className="frozen">
                <UserInfoFields
                  {...fields}
                  workRoles={props.options.workRoles}
                  passwordSettable={props.passwordSettable ?? false}
                  wasVirtual={props.wasVirtual}
                />
              </fieldset>
            ),
          },
          {
            id: "roles",
            label: "Roles",
            invalid: invalid("roles"),
            panel: (
              <UserRolesFields
                {...fields}
                options={props.options}
                privateRoleId={props.privateRoleId}
                ownRole={props.ownRole ?? false}
              />
            ),
          },
        ]}
      />
      <ErrorAlert>{error}</ErrorAlert>
      {props.notice}
      <FormActions busy={busy} onCancel={props.onCancel} submitLabel="Save" />
    </form>
  );
}
