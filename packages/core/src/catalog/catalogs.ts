/** Loads the three built-in presets and an optional catalogue file, validated at start-up. */
import { readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { buildCatalog, type Catalog, CatalogError } from "./catalog.rules.ts";

export const PRESET_NAMES = ["radiotherapy", "veterinary", "care-management"] as const;
export type PresetName = (typeof PRESET_NAMES)[number];

const presetDir = path.join(path.dirname(fileURLToPath(import.meta.url)), "presets");

/** Every catalogue this deployment knows, and the one new tenants get by default. */
export interface Catalogs {
  readonly defaultName: string;
  get(name: string): Catalog | undefined;
  names(): readonly string[];
}

function readJson(file: string): unknown {
  try {
    return JSON.parse(readFileSync(file, "utf8"));
  } catch (error) {
    throw new CatalogError(file, [error instanceof Error ? error.message : String(error)]);
  }
}

/**
 * `choice` is a preset name or a JSON file path (STAFFGATE_CATALOG). A file's catalogue is added
 * beside the presets under its own `name` and becomes the default.
 */
export function loadCatalogs(choice: string = "radiotherapy"): Catalogs {
  const all = new Map<string, Catalog>();
  for (const name of PRESET_NAMES)
    all.set(name, buildCatalog(readJson(path.join(presetDir, `${name}.json`)), name));
  let defaultName = choice;
  if (!all.has(choice)) {
    if (!/[/\\]|\.json$/.test(choice)) {
      throw new CatalogError(choice, [`not a preset (${PRESET_NAMES.join(", ")}) nor a .json file path`]);
    }
    const custom = buildCatalog(readJson(choice), choice);
    // Under a preset's name it would replace that preset in every tenant created with it.
    if (all.has(custom.name)) {
      throw new CatalogError(choice, [
        `name "${custom.name}" is a built-in preset's; give the catalogue a name of its own`,
      ]);
    }
    all.set(custom.name, custom);
    defaultName = custom.name;
  }
  return { defaultName, get: (name) => all.get(name), names: () => [...all.keys()] };
}
