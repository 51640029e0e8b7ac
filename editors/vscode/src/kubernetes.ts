// Whether a YAML text holds Kubernetes objects: some document with a top-level `apiVersion`
// and `kind`. Plain text analysis, no `vscode` import, so it runs under node in unit tests.

/** How many lines are read at most: enough for any manifest's first object. */
export const MAX_LINES = 500;

/** Whether `text` holds a Kubernetes object (checks the first {@link MAX_LINES} lines). */
export function isKubernetes(text: string): boolean {
  let api = false;
  let kind = false;
  let line = 0;
  for (const raw of text.split(/\r?\n/, MAX_LINES)) {
    line++;
    if (raw.startsWith("---")) {
      if (api && kind) {
        return true;
      }
      api = false;
      kind = false;
    } else if (/^apiVersion\s*:/.test(raw)) {
      api = true;
    } else if (/^kind\s*:/.test(raw)) {
      kind = true;
    }
  }
  return api && kind;
}
