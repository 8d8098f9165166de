/**
 * Sending a form: its own checks first (nothing is sent while a field is missing), `busy` while
 * the call runs, and a refusal shown beside the fields it names or in words above the buttons.
 * Whoever found a field wrong, the form or the API, the focus goes to the first one marked.
 * After a success `busy` stays set: the form is closed or replaced, never sent again.
 */
import { type Staffgate, StaffgateTimeoutError } from "@staffgate/sdk";
import { type FormEvent, useRef, useState } from "react";
import { fieldErrors, problemMessage } from "../api.ts";
import { useFocusFirstInvalid } from "./keepFocus.ts";
import { useOnce } from "./useOnce.ts";

export type FieldErrors = Record<string, string>;

/** What a refusal shows: messages beside fields, and words above the buttons (or none). */
export interface Refusal {
  readonly fields: FieldErrors;
  readonly message: string | null;
}

export interface SubmitSteps {
  /** The fields the form itself finds missing or wrong; empty: send. */
  readonly check?: () => FieldErrors;
  readonly send: () => Promise<void>;
  /** What a refusal shows; absent: the API's errors on `fields`, or the problem in words. */
  readonly refused?: (error: unknown) => Refusal;
  readonly fields?: readonly string[];
}

export function useSubmit() {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [errors, setErrors] = useState<FieldErrors>({});
  const form = useRef<Element | null>(null);
  const keys = useOnce();
  /** Whether this sending used `once`: a timeout then says that sending again is safe. */
  const keyed = useRef(false);

  useFocusFirstInvalid(form, errors, Object.keys(errors).length > 0);

  /** `api` sending this form's change at most once (useOnce.ts). */
  const once = (api: Staffgate): Staffgate => {
    keyed.current = true;
    return keys.client(api);
  };

  const submit = async (event: FormEvent, steps: SubmitSteps) => {
    event.preventDefault();
    form.current = event.currentTarget;
    setError(null);
    const missing = steps.check?.() ?? {};
    if (Object.keys(missing).length > 0) {
      setErrors(missing);
      return;
    }
    setBusy(true);
    setErrors({});
    keyed.current = false;
    try {
      await steps.send();
      keys.settle();
    } catch (e) {
      keys.settle(e);
      const refusal = steps.refused ? steps.refused(e) : refusalOn(e, steps.fields ?? []);
      setErrors(refusal.fields);
      setError(
        keyed.current && e instanceof StaffgateTimeoutError
          ? "The service did not answer in time, so this may have been done. Sending it again is safe: it will not be done twice."
          : refusal.message,
      );
      setBusy(false);
    }
  };

  /** What a FormDialog needs to send with these steps and show how it went. */
  const formProps = (steps: SubmitSteps) => ({
    onSubmit: (event: FormEvent) => submit(event, steps),
    busy,
    error,
  });

  return { busy, error, errors, submit, formProps, once };
}

/**
 * The API's field errors on the form's own `fields` (`rename`: an API path the form shows under
 * another name), and the problem in words when it names none of them: nothing goes unsaid.
 */
export function refusalOn(
  error: unknown,
  fields: readonly string[],
  rename: Readonly<Record<string, string>> = {},
): Refusal {
  const shown: FieldErrors = {};
  for (const [path, message] of Object.entries(fieldErrors(error))) {
    const field = rename[path] ?? path;
    if (fields.includes(field)) shown[field] = message;
  }
  return { fields: shown, message: Object.keys(shown).length === 0 ? problemMessage(error) : null };
}
