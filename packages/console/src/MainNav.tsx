/**
 * The main navigation's list, in the source products' words: the administration pages beneath
 * "Administration" (Prevounce: "click the Administration tab … then choose Users"), always shown
 * so that a page is one click away, then the pages outside the group. "Administration" leads to
 * the first page of the group this person may see; it is never the current page itself.
 */
import { Link } from "./router.tsx";
import type { RouteDef } from "./routes.tsx";

export function MainNavList(props: {
  /** The pages this person's navigation offers, in ROUTES order. */
  readonly pages: readonly RouteDef[];
  readonly path: string;
  /** A link was followed (the narrow screen's menu closes). */
  readonly onFollow: () => void;
}) {
  const { path, onFollow } = props;
  const grouped = props.pages.filter((r) => r.group === "Administration");
  const rest = props.pages.filter((r) => r.group === undefined);
  const item = (r: RouteDef) => (
    <li key={r.pattern}>
      <Link to={r.pattern} aria-current={path === r.pattern ? "page" : undefined} onClick={onFollow}>
        {r.title}
      </Link>
    </li>
  );
  const first = grouped[0];
  return (
    <ul>
      {first && (
        <li className="nav-group">
          <Link to={first.pattern} className="nav-group-head" onClick={onFollow}>
            Administration
          </Link>
          <ul>{grouped.map(item)}</ul>
        </li>
      )}
      {rest.map(item)}
    </ul>
  );
}
