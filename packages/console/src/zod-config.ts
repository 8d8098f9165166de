/**
 * zod compiles its parsers when `eval` is allowed and probes for it with `Function("")` on first
 * use. The console's CSP has no 'unsafe-eval' (SECURITY.md), so the probe is refused, and Chromium
 * (since 156.0.8078.114) reports each refusal as a console error. The console parses little:
 * zod's interpreter is enough, and nothing asks for `eval`.
 */
import { config } from "zod";

config({ jitless: true });
