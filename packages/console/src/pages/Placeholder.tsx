/** A page that is not built yet: its title, and where it is going. */
import { Link } from "../router.tsx";

export function PlaceholderPage(props: { title: string; standalone?: boolean; notFound?: boolean }) {
  const body = (
    <>
      <h1>{props.title}</h1>
      <p>{props.notFound ? "There is no page at this address." : "This page is coming next."}</p>
      {props.standalone && (
        <p>
          <Link to="/sign-in">Back to sign in</Link>
        </p>
      )}
    </>
  );
  return props.standalone ? <main className="card">{body}</main> : body;
}
