// Finding the `picket` binary. No `vscode` import: the extension passes in what it reads from
// the environment, the settings and the file system, so unit tests run under plain node.

import * as path from "path";

/** Where a server path came from, for messages. */
export type Source = "PICKET_SERVER_PATH" | "picket.server.path" | "bundled" | "PATH";

export interface Found {
  path: string;
  source: Source;
}

export interface LookupInput {
  /** The environment (`process.env`). */
  env: Record<string, string | undefined>;
  /** The `picket.server.path` setting, if set. */
  setting: string | undefined;
  /** The extension's own directory (a bundled binary lives in `server/`). */
  extensionPath: string;
  /** The platform (`process.platform`). */
  platform: string;
  /** Whether a file exists and is executable. */
  isExecutable: (file: string) => boolean;
}

/** The binary's file name on this platform. */
export function binaryName(platform: string): string {
  return platform === "win32" ? "picket.exe" : "picket";
}

/**
 * The server binary: `$PICKET_SERVER_PATH`, then the `picket.server.path` setting, then the
 * binary bundled in the extension, then `picket` on `$PATH`. A path given explicitly (the
 * variable or the setting) that is not executable is an error naming where it came from,
 * never silently skipped.
 */
export function findServer(input: LookupInput): Found | { error: string } {
  const explicit: [Source, string | undefined][] = [
    ["PICKET_SERVER_PATH", input.env.PICKET_SERVER_PATH],
    ["picket.server.path", input.setting],
  ];
  for (const [source, value] of explicit) {
    if (value && value.trim() !== "") {
      const file = value.trim();
      if (input.isExecutable(file)) {
        return { path: file, source };
      }
      const where = source === "PICKET_SERVER_PATH" ? "the environment variable PICKET_SERVER_PATH" : "the setting `picket.server.path`";
      return { error: `Picket: ${where} names ${file}, which is not an executable file. Fix ${where}, or clear it to use the bundled server.` };
    }
  }
  const name = binaryName(input.platform);
  const bundled = path.join(input.extensionPath, "server", name);
  if (input.isExecutable(bundled)) {
    return { path: bundled, source: "bundled" };
  }
  const sep = input.platform === "win32" ? ";" : ":";
  for (const dir of (input.env.PATH ?? "").split(sep)) {
    if (dir === "") {
      continue;
    }
    const candidate = path.join(dir, name);
    if (input.isExecutable(candidate)) {
      return { path: candidate, source: "PATH" };
    }
  }
  return {
    error:
      "Picket: the `picket` server was not found. Install it (cargo install --path server/crates/picket) and put it on PATH, or set `picket.server.path` to the binary.",
  };
}

/** The version in `picket --version` output (`picket 0.1.0` → `0.1.0`). */
export function parseVersion(output: string): string | undefined {
  const m = /^picket\s+(\d+\.\d+\.\d+\S*)/m.exec(output.trim());
  return m?.[1];
}

/**
 * A warning when the server's version does not match the extension's major.minor (the
 * protocol details they share may differ), or `undefined` when they match.
 */
export function versionWarning(server: string | undefined, extension: string): string | undefined {
  if (!server) {
    return "Picket: could not read the server's version (`picket --version`); it may be too old for this extension.";
  }
  const mm = (v: string) => v.split(".").slice(0, 2).join(".");
  if (mm(server) !== mm(extension)) {
    return `Picket: the server is version ${server} and the extension ${extension}; install matching versions.`;
  }
  return undefined;
}
