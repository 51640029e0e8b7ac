// Bundles the extension (and, with --tests, the unit tests) with esbuild.
import { build } from "esbuild";
import { readdirSync } from "fs";

const tests = process.argv.includes("--tests");
if (tests) {
  const entries = readdirSync("test").filter((f) => f.endsWith(".test.ts")).map((f) => `test/${f}`);
  await build({ entryPoints: entries, bundle: true, platform: "node", target: "node20", outdir: "out/test", logLevel: "warning" });
} else {
  await build({
    entryPoints: ["src/extension.ts"],
    bundle: true,
    platform: "node",
    target: "node20",
    format: "cjs",
    external: ["vscode"],
    outfile: "dist/extension.js",
    sourcemap: true,
    logLevel: "warning",
  });
}
