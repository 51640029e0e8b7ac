// The Picket extension: starts `picket lsp` for Kubernetes YAML and leaves other YAML alone.

import * as fs from "fs";
import { execFile } from "child_process";
import * as vscode from "vscode";
import {
  DidOpenTextDocumentNotification,
  LanguageClient,
  LanguageClientOptions,
  ServerOptions,
  State,
} from "vscode-languageclient/node";

import { isKubernetes, MAX_LINES } from "./kubernetes";
import { findServer, parseVersion, versionWarning } from "./lookup";

let client: LanguageClient | undefined;
let output: vscode.LogOutputChannel;
let status: vscode.StatusBarItem;
let serverPath: string | undefined;
/** The documents the server was told about: Kubernetes YAML only. */
const tracked = new Set<string>();

function isExecutable(file: string): boolean {
  try {
    fs.accessSync(file, fs.constants.X_OK);
    return fs.statSync(file).isFile();
  } catch {
    return false;
  }
}

function setStatus(text: string, tooltip: string, error = false): void {
  status.text = text;
  status.tooltip = tooltip;
  status.backgroundColor = error ? new vscode.ThemeColor("statusBarItem.errorBackground") : undefined;
  status.show();
}

function version(file: string): Promise<string | undefined> {
  return new Promise((resolve) => {
    execFile(file, ["--version"], { timeout: 5000 }, (err, stdout) => resolve(err ? undefined : parseVersion(stdout)));
  });
}

/** The `picket.*` settings as a plain object, for the server. */
function settingsObject(): Record<string, unknown> {
  const c = vscode.workspace.getConfiguration("picket");
  return {
    rules: c.get("rules") ?? {},
    kubernetesVersion: c.get("kubernetesVersion") ?? "",
    profiles: c.get("profiles.directory") ?? "",
  };
}

/**
 * Whether the server should see `doc`: YAML that holds Kubernetes objects. Runs on every
 * change of YAML the server does not see, so it reads only the lines `isKubernetes` looks at,
 * never the whole of a large file.
 */
function wanted(doc: vscode.TextDocument): boolean {
  return doc.languageId === "yaml" && isKubernetes(doc.getText(new vscode.Range(0, 0, MAX_LINES, 0)));
}

async function start(context: vscode.ExtensionContext): Promise<void> {
  const found = findServer({
    env: process.env,
    setting: vscode.workspace.getConfiguration("picket").get<string>("server.path"),
    extensionPath: context.extensionPath,
    platform: process.platform,
    isExecutable,
  });
  if ("error" in found) {
    setStatus("$(error) Picket", found.error, true);
    output.appendLine(found.error);
    const choice = await vscode.window.showErrorMessage(found.error, "Open Settings");
    if (choice === "Open Settings") {
      await vscode.commands.executeCommand("workbench.action.openSettings", "picket.server.path");
    }
    return;
  }
  serverPath = found.path;
  const ours = context.extension.packageJSON.version as string;
  const theirs = await version(found.path);
  output.appendLine(`Picket server ${theirs ?? "(unknown version)"} at ${found.path} (from ${found.source})`);
  const warning = versionWarning(theirs, ours);
  if (warning) {
    output.appendLine(warning);
    void vscode.window.showWarningMessage(warning);
  }

  const serverOptions: ServerOptions = { command: found.path, args: ["lsp"] };
  const skip = (doc: vscode.TextDocument) => !tracked.has(doc.uri.toString());
  const clientOptions: LanguageClientOptions = {
    documentSelector: [
      { scheme: "file", language: "yaml" },
      { scheme: "untitled", language: "yaml" },
    ],
    outputChannel: output,
    // Rules, severities and the target version from the settings win over .picket.yaml.
    initializationOptions: { picket: settingsObject() },
    synchronize: {
      configurationSection: "picket", fileEvents: vscode.workspace.createFileSystemWatcher("**/{*.yaml,*.yml,.picket.yaml,.gitignore}") },
    middleware: {
      // Other YAML (CI files, Helm values) never reaches the server.
      didOpen: (doc, next) => {
        if (!wanted(doc)) {
          return Promise.resolve();
        }
        tracked.add(doc.uri.toString());
        return next(doc);
      },
      didChange: (event, next) => {
        const uri = event.document.uri.toString();
        if (tracked.has(uri)) {
          return next(event);
        }
        // A new file that has just become a manifest: open it now.
        if (wanted(event.document) && client) {
          tracked.add(uri);
          const d = event.document;
          return client.sendNotification(DidOpenTextDocumentNotification.type, {
            textDocument: { uri, languageId: "yaml", version: d.version, text: d.getText() },
          });
        }
        return Promise.resolve();
      },
      didClose: (doc, next) => {
        if (!tracked.delete(doc.uri.toString())) {
          return Promise.resolve();
        }
        return next(doc);
      },
      didSave: (doc, next) => (skip(doc) ? Promise.resolve() : next(doc)),
      provideHover: (doc, pos, token, next) => (skip(doc) ? undefined : next(doc, pos, token)),
      provideCompletionItem: (doc, pos, ctx, token, next) => (skip(doc) ? undefined : next(doc, pos, ctx, token)),
      provideCodeActions: (doc, range, ctx, token, next) => (skip(doc) ? undefined : next(doc, range, ctx, token)),
      provideCodeLenses: (doc, token, next) => (skip(doc) ? undefined : next(doc, token)),
      provideDocumentSymbols: (doc, token, next) => (skip(doc) ? undefined : next(doc, token)),
      provideDefinition: (doc, pos, token, next) => (skip(doc) ? undefined : next(doc, pos, token)),
      provideReferences: (doc, pos, ctx, token, next) => (skip(doc) ? undefined : next(doc, pos, ctx, token)),
      provideFoldingRanges: (doc, ctx, token, next) => (skip(doc) ? undefined : next(doc, ctx, token)),
      // A code lens's locations open in the references view rather than on the server.
      executeCommand: async (command, args, next) => {
        if (command === "picket.showReferences" && args.length === 3 && client) {
          const c2p = client.protocol2CodeConverter;
          const uri = vscode.Uri.parse(args[0]);
          const position = c2p.asPosition(args[1]);
          const locations = (args[2] as unknown[]).map((l) => c2p.asLocation(l as never));
          return vscode.commands.executeCommand("editor.action.showReferences", uri, position, locations);
        }
        return next(command, args);
      },
    },
  };
  client = new LanguageClient("picket", "Picket", serverOptions, clientOptions);
  client.onDidChangeState((e) => {
    if (e.newState === State.Running) {
      setStatus("$(shield) Picket", `Picket ${theirs ?? ""} running: ${found.path}`);
    } else if (e.newState === State.Stopped) {
      setStatus("$(warning) Picket", "Picket stopped: run “Picket: Restart Server”", true);
    } else {
      setStatus("$(sync~spin) Picket", "Picket starting");
    }
  });
  tracked.clear();
  await client.start();
}

async function stop(): Promise<void> {
  const c = client;
  client = undefined;
  tracked.clear();
  if (c) {
    await c.stop();
  }
}

async function showRuleDocumentation(): Promise<void> {
  if (!serverPath) {
    void vscode.window.showErrorMessage("Picket: the server is not running.");
    return;
  }
  const file = serverPath;
  const rules: { name: string; summary: string; docs: string }[] = await new Promise((resolve, reject) => {
    execFile(file, ["rules", "--format", "json"], { maxBuffer: 32 << 20 }, (err, stdout) => {
      if (err) {
        reject(err);
      } else {
        resolve(JSON.parse(stdout));
      }
    });
  });
  const pick = await vscode.window.showQuickPick(
    rules.map((r) => ({ label: r.name, detail: r.summary, rule: r })),
    { placeHolder: "Rule", matchOnDetail: true },
  );
  if (pick) {
    const doc = await vscode.workspace.openTextDocument({ language: "markdown", content: `# ${pick.rule.name}\n\n${pick.rule.docs}` });
    await vscode.commands.executeCommand("markdown.showPreview", doc.uri);
  }
}

export async function activate(context: vscode.ExtensionContext): Promise<void> {
  output = vscode.window.createOutputChannel("Picket", { log: true });
  status = vscode.window.createStatusBarItem(vscode.StatusBarAlignment.Right, 100);
  status.command = "picket.showOutput";
  context.subscriptions.push(
    output,
    status,
    vscode.commands.registerCommand("picket.restartServer", async () => {
      await stop();
      await start(context);
    }),
    vscode.commands.registerCommand("picket.showOutput", () => output.show(true)),
    vscode.commands.registerCommand("picket.showRuleDocumentation", showRuleDocumentation),
    vscode.commands.registerCommand("picket.fixAll", async () => {
      await vscode.commands.executeCommand("editor.action.sourceAction", { kind: "source.fixAll.picket", apply: "first" });
    }),
    vscode.workspace.onDidChangeConfiguration(async (e) => {
      if (e.affectsConfiguration("picket.server.path")) {
        await stop();
        await start(context);
      }
    }),
  );
  await start(context);
}

export function deactivate(): Promise<void> | undefined {
  return client ? stop() : undefined;
}
