// Server lookup, under plain node: the order of the sources, and clear errors naming the
// setting when nothing usable is found.
import { test } from "node:test";
import * as assert from "node:assert/strict";

import { findServer, parseVersion, versionWarning, LookupInput } from "../src/lookup";

function input(over: Partial<LookupInput>, executables: string[] = []): LookupInput {
  return {
    env: {},
    setting: undefined,
    extensionPath: "/ext",
    platform: "linux",
    isExecutable: (f) => executables.includes(f),
    ...over,
  };
}

test("the environment variable comes first", () => {
  const found = findServer(input({ env: { PICKET_SERVER_PATH: "/env/picket", PATH: "/bin" }, setting: "/set/picket" }, ["/env/picket", "/set/picket", "/ext/server/picket", "/bin/picket"]));
  assert.deepEqual(found, { path: "/env/picket", source: "PICKET_SERVER_PATH" });
});

test("then the setting, then the bundled binary, then PATH", () => {
  const all = ["/set/picket", "/ext/server/picket", "/usr/bin/picket"];
  assert.deepEqual(findServer(input({ setting: "/set/picket", env: { PATH: "/usr/bin" } }, all)), { path: "/set/picket", source: "picket.server.path" });
  assert.deepEqual(findServer(input({ setting: "", env: { PATH: "/usr/bin" } }, all)), { path: "/ext/server/picket", source: "bundled" });
  assert.deepEqual(findServer(input({ env: { PATH: "/nope::/usr/bin" } }, ["/usr/bin/picket"])), { path: "/usr/bin/picket", source: "PATH" });
});

test("an explicit path that is not executable is an error naming its source", () => {
  const bad = findServer(input({ setting: "/missing/picket", env: { PATH: "/usr/bin" } }, ["/usr/bin/picket"]));
  assert.ok("error" in bad);
  assert.match(bad.error, /the setting `picket\.server\.path` names \/missing\/picket/);
  const env = findServer(input({ env: { PICKET_SERVER_PATH: " /missing/env " } }));
  assert.ok("error" in env);
  assert.match(env.error, /PICKET_SERVER_PATH names \/missing\/env/);
});

test("nothing found: the error says how to install it and which setting to use", () => {
  const none = findServer(input({ env: { PATH: "/usr/bin:/bin" } }));
  assert.ok("error" in none);
  assert.match(none.error, /not found/);
  assert.match(none.error, /`picket\.server\.path`/);
});

test("Windows binaries end in .exe and PATH splits on semicolons", () => {
  const found = findServer(input({ platform: "win32", env: { PATH: "C:\\a;C:\\tools" } }, ["C:\\tools/picket.exe"]));
  assert.deepEqual(found, { path: "C:\\tools/picket.exe", source: "PATH" });
});

test("versions", () => {
  assert.equal(parseVersion("picket 0.1.0\n"), "0.1.0");
  assert.equal(parseVersion("something else"), undefined);
  assert.equal(versionWarning("0.1.3", "0.1.0"), undefined);
  assert.match(versionWarning("0.2.0", "0.1.0") ?? "", /server is version 0\.2\.0 and the extension 0\.1\.0/);
  assert.match(versionWarning(undefined, "0.1.0") ?? "", /could not read/);
});
