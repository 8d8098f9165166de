/**
 * "Create API token": a name, the role its integration user holds, and an optional expiry. The
 * answer carries the token itself, which the caller shows once and then forgets. Only roles the
 * caller covers are offered, the others named with why (the server refuses them with 403).
 */
import type { Staffgate } from "@staffgate/sdk";
import { useState } from "react";
import { ExpiresField, expiresProblem, instantOf } from "../../components/ExpiresField.tsx";
import { Field, NamedOptions, SelectField } from "../../components/Field.tsx";
import { FormDialog } from "../../components/FormDialog.tsx";
import { ErrorAlert } from "../../components/Messages.tsx";
import { type FieldErrors, useSubmit } from "../../components/useSubmit.ts";
import { useApi } from "../../session.tsx";
import type { Role } from "../../types.ts";
import { type Coverage, notOfferedWords, offeredRoles } from "../roles/coverage.ts";

export type CreatedToken = Awaited<ReturnType<Staffgate["apiTokens"]["create"]>>;

const FIELDS = ["name", "roleId", "expiresAt"];

export function CreateTokenDialog(props: {
  readonly roles: Role[] | null;
  /** What the caller could grant; null while it loads (the roles are then not listed yet). */
  readonly coverage: Coverage | null;
  readonly rolesError: string | null;
  readonly onClose: () => void;
  readonly onCreated: (created: CreatedToken) => void;
}) {
  const api = useApi();
  const [name, setName] = useState("");
  const [roleId, setRoleId] = useState("");
  const [expires, setExpires] = useState("");
  const { errors, formProps, once } = useSubmit();
  const choices = props.roles && props.coverage ? offeredRoles(props.coverage, props.roles) : null;

  const check = () => {
    const missing: FieldErrors = {};
    if (!name.trim()) missing.name = "is required";
    if (!roleId) missing.roleId = "Choose the role the integration acts with.";
    const incomplete = expiresProblem(expires);
    if (incomplete) missing.expiresAt = incomplete;
    return missing;
  };
  const send = async () => {
    const created = await once(api).apiTokens.create({
      name: name.trim(),
      roleId,
      ...(expires ? { expiresAt: instantOf(expires) } : {}),
    });
    props.onCreated(created);
  };

  return (
    <FormDialog
      title="Create API token"
      onClose={props.onClose}
      {...formProps({ check, send, fields: FIELDS })}
      submitLabel="Create"
    >
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
        hint={choices ? notOfferedWords(choices.notOffered) : undefined}
      >
        <NamedOptions empty={choices ? "Choose a role" : "Loading roles…"} items={choices?.offered} />
      </SelectField>
      <ErrorAlert>{props.rolesError}</ErrorAlert>
      <ExpiresField
        value={expires}
        onChange={setExpires}
        error={errors.expiresAt}
        hint="Empty: until it is revoked."
      />
    </FormDialog>
  );
}
