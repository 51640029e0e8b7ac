// End-to-end test of the packaged extension in VS Code (code-server) driven through headless
// Chromium: the Picket diagnostic shows in the Problems panel at its line, its quick-fix is
// applied with the keyboard, the file is saved with the fix and the diagnostic is gone.
//   node e2e.js URL WORKSPACE SCREENSHOTS   (playwright-core from $PICKET_PLAYWRIGHT)
// Prints "1 passed, 0 failed" and exits 0, or says what it waited for in vain and exits 1.
const fs = require("fs");
const os = require("os");
const path = require("path");
const { chromium } = require(process.env.PICKET_PLAYWRIGHT || "playwright-core");

const [url, ws, shots] = process.argv.slice(2);
const file = path.join(ws, "app.yaml");
const t0 = Date.now();
const log = (...a) => console.log(`[${((Date.now() - t0) / 1000).toFixed(1)}s]`, ...a);
const MESSAGE = "does not set `imagePullPolicy`";
const FIX = "Set `imagePullPolicy: IfNotPresent`";

(async () => {
  fs.mkdirSync(shots, { recursive: true });
  const profile = fs.mkdtempSync(path.join(os.tmpdir(), "picket-chromium-"));
  const ctx = await chromium.launchPersistentContext(profile, {
    executablePath: process.env.PICKET_CHROMIUM || "/usr/bin/chromium",
    headless: true,
    args: ["--no-sandbox", "--disable-gpu"],
    viewport: { width: 1400, height: 900 },
  });
  const page = ctx.pages()[0] || (await ctx.newPage());
  let ok = false;
  const before = fs.readFileSync(file, "utf8");
  try {
    await page.goto(`${url}?folder=${encodeURIComponent(ws)}`);
    await page.locator(".monaco-workbench").waitFor({ timeout: 60000 });
    log("workbench loaded");
    // Open the manifest with Quick Open.
    await page.locator(".monaco-workbench").click({ position: { x: 700, y: 400 } });
    await page.keyboard.press("Control+P");
    await page.keyboard.type("app.yaml");
    await page.locator(".quick-input-list .monaco-list-row").first().waitFor({ timeout: 30000 });
    await page.keyboard.press("Enter");
    await page.locator(".monaco-editor .view-lines").first().waitFor({ timeout: 30000 });
    log("editor open");

    // 1. The diagnostic in the Problems panel, at line 47 (the container's name).
    await page.keyboard.press("Control+Shift+M");
    const row = page.locator(".markers-panel .monaco-list-row").filter({ hasText: MESSAGE });
    await row.first().waitFor({ timeout: 60000 });
    const text = (await row.first().innerText()).replace(/\n/g, " | ");
    log("problems panel:", text);
    if (!/\[Ln 47, Col 15\]/.test(text)) throw new Error(`the diagnostic is not at Ln 47, Col 15: ${text}`);
    if (!/missing-image-pull-policy/.test(text)) throw new Error(`no rule name in the row: ${text}`);
    await page.screenshot({ path: path.join(shots, "1-diagnostic.png") });

    // 2. Its quick-fix, with the keyboard: go to the finding, Ctrl+., Enter.
    await page.locator(".monaco-editor .view-lines").first().click();
    await page.keyboard.press("Control+G");
    await page.keyboard.type("47:16");
    await page.keyboard.press("Enter");
    await page.keyboard.press("Control+.");
    const action = page.locator(".action-widget").getByText(FIX);
    await action.first().waitFor({ timeout: 30000 });
    log("quick-fix menu shows:", FIX);
    await page.screenshot({ path: path.join(shots, "2-quick-fix-menu.png") });
    // The fix is the preferred action, first in the list.
    await page.keyboard.press("Enter");
    await action.first().waitFor({ state: "detached", timeout: 30000 });
    // The server saw the edit: the finding leaves the Problems panel.
    await row.first().waitFor({ state: "detached", timeout: 30000 });
    log("fix applied; the diagnostic is gone");

    // 3. Saved, and the diagnostic gone.
    await page.keyboard.press("Control+S");
    let saved = "";
    for (let i = 0; i < 100; i++) {
      saved = fs.readFileSync(file, "utf8");
      if (saved !== before) break;
      await page.waitForTimeout(100);
    }
    const expected = before.replace("          periodSeconds: 20\n---", "          periodSeconds: 20\n        imagePullPolicy: IfNotPresent\n---");
    if (saved !== expected) throw new Error(`the saved file is not the original plus the fix:\n${saved}`);
    log("file saved with the fix");
    // Scrolled to the fix, for the screenshot.
    await page.keyboard.press("Control+G");
    await page.keyboard.type("65");
    await page.keyboard.press("Enter");
    await page.locator(".monaco-editor .view-line").getByText("imagePullPolicy: IfNotPresent").first().waitFor({ timeout: 10000 });
    const empty = await page.locator(".markers-panel").getByText("No problems have been detected").count();
    log(empty ? "Problems panel: no problems" : "Problems panel still lists something");
    await page.screenshot({ path: path.join(shots, "3-fixed.png") });
    if (!empty) throw new Error("the Problems panel is not empty after the fix");
    ok = true;
  } catch (e) {
    log("FAILED:", e.message);
    await page.screenshot({ path: path.join(shots, "failure.png") }).catch(() => {});
  } finally {
    await ctx.close();
    fs.rmSync(profile, { recursive: true, force: true });
  }
  log(ok ? "E2E PASS" : "E2E FAIL");
  console.log(ok ? "1 passed, 0 failed" : "0 passed, 1 failed");
  process.exit(ok ? 0 : 1);
})();
