/**
 * Saves text as a file: a Blob behind a `blob:` object URL and an `<a download>` click, which the
 * CSP (`default-src 'self'`, no `data:`) allows. The URL is revoked once the click has been handled.
 */
export function downloadText(text: string, filename: string, type: string): void {
  const url = URL.createObjectURL(new Blob([text], { type }));
  const a = document.createElement("a");
  a.href = url;
  a.download = filename;
  a.hidden = true;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}
