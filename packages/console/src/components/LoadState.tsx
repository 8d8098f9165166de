/** What a page shows while its data loads, when loading failed, and when there is nothing. */
import type { ReactNode } from "react";
import { ErrorAlert } from "./Messages.tsx";
import type { Loaded } from "./useLoad.ts";

export function LoadState<T>(props: {
  readonly state: Loaded<T>;
  /** "Loading users…" */
  readonly loading: string;
  readonly children: (value: T) => ReactNode;
}) {
  if (props.state.kind === "loading") {
    return (
      <p className="loading" aria-busy="true">
        {props.loading}
      </p>
    );
  }
  if (props.state.kind === "error") {
    return <ErrorAlert>{props.state.message}</ErrorAlert>;
  }
  return <>{props.children(props.state.value)}</>;
}
