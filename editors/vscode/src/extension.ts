// Starts `redis-halint server` for redis.conf / sentinel.conf buffers (and YAML and
// systemd files) through vscode-languageclient.

import * as vscode from "vscode";
import {
  LanguageClient,
  LanguageClientOptions,
  ServerOptions,
} from "vscode-languageclient/node";

let client: LanguageClient | undefined;

function createClient(): LanguageClient {
  const config = vscode.workspace.getConfiguration("redis-halint");
  const command = config.get<string>("path") || "redis-halint";
  const serverOptions: ServerOptions = {
    run: { command, args: ["server"] },
    debug: { command, args: ["server"] },
  };
  const clientOptions: LanguageClientOptions = {
    documentSelector: [
      { language: "redis-conf" },
      { language: "sentinel-conf" },
      { language: "yaml" },
      { language: "dockercompose" },
      { language: "systemd-unit-file" },
      { scheme: "file", pattern: "**/*.{service,socket,timer}" },
    ],
    initializationOptions: {
      targetVersion: config.get<string | null>("targetVersion") ?? null,
    },
    synchronize: {
      // Files of the workspace that are not open are read from disk; tell the server
      // when they change.
      fileEvents: vscode.workspace.createFileSystemWatcher(
        "**/{*.conf,*.conf.tpl,*.conf.template,redis-halint.toml}",
      ),
      // Sent as workspace/didChangeConfiguration {"redis-halint": {...}}.
      configurationSection: "redis-halint",
    },
  };
  return new LanguageClient("redis-halint", "redis-halint", serverOptions, clientOptions);
}

async function restart(): Promise<void> {
  if (client) {
    await client.stop();
  }
  client = createClient();
  await client.start();
}

export async function activate(context: vscode.ExtensionContext): Promise<void> {
  context.subscriptions.push(
    vscode.commands.registerCommand("redis-halint.restart", restart),
    vscode.workspace.onDidChangeConfiguration(async (event) => {
      if (event.affectsConfiguration("redis-halint.path")) {
        await restart();
      }
    }),
  );
  await restart();
}

export async function deactivate(): Promise<void> {
  if (client) {
    await client.stop();
    client = undefined;
  }
}
