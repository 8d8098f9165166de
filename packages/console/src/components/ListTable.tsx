/**
 * A list as a table: the words for an empty list instead of an empty table, a caption for screen
 * readers, and a header per column. A falsy column is left out: one only some people see (Actions).
 * The table sits in a box that, on a narrow screen, scrolls sideways on its own (styles.css) rather
 * than widening the page, and takes the keyboard focus while it does (ScrollBox).
 */
import type { ReactNode } from "react";
import { ScrollBox } from "./ScrollBox.tsx";

export function ListTable<T>(props: {
  readonly items: readonly T[];
  /** Said instead of the table when there are no items; absent: the caller has said it. */
  readonly empty?: ReactNode;
  /** Said to screen readers: the table's name, and its scroll box's when that scrolls. */
  readonly caption: string;
  readonly columns: readonly ReactNode[];
  /** One `<tr>` with its key. */
  readonly row: (item: T) => ReactNode;
  readonly className?: string;
}) {
  if (props.items.length === 0 && props.empty !== undefined) return <p className="empty">{props.empty}</p>;
  return (
    <ScrollBox className="table-scroll" label={props.caption}>
      <table className={props.className ?? "table"}>
        <caption className="visually-hidden">{props.caption}</caption>
        <thead>
          <tr>
            {props.columns.map(
              (column, i) =>
                column && (
                  // biome-ignore lint/suspicious/noArrayIndexKey: a table's columns are fixed: their place is who they are.
                  <th key={i} scope="col">
                    {column}
                  </th>
                ),
            )}
          </tr>
        </thead>
        <tbody>{props.items.map(props.row)}</tbody>
      </table>
    </ScrollBox>
  );
}
