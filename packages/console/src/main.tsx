import { StrictMode } from "react";
import { createRoot } from "react-dom/client";
import { App } from "./App.tsx";
import { createApi } from "./api.ts";
import "./styles.css";

const api = createApi({
  origin: window.location.origin,
  cookies: () => document.cookie,
  fetch: (url, init) => window.fetch(url, init),
});

const root = document.getElementById("root");
if (root) {
  createRoot(root).render(
    <StrictMode>
      <App api={api} />
    </StrictMode>,
  );
}
