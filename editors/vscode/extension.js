// ETSL for VS Code: starts the ETSL language server (`etsl lsp`) installed with the Python
// package and connects it to .scheme files. Everything the editor shows (diagnostics, hover,
// completion, quick fixes, inlay hints, code lenses running examples) comes from the server.
"use strict";

const vscode = require("vscode");
const { LanguageClient } = require("vscode-languageclient/node");

let client;

function serverOptions() {
  const settings = vscode.workspace.getConfiguration("etsl.server");
  const command = settings.get("command", "etsl");
  const args = settings.get("args", ["lsp"]);
  return { command, args, options: { env: process.env } };
}

async function start(context) {
  client = new LanguageClient(
    "etsl",
    "ETSL language server",
    serverOptions(),
    {
      documentSelector: [
        { scheme: "file", language: "etsl" },
        { scheme: "untitled", language: "etsl" },
      ],
    },
  );
  try {
    await client.start();
  } catch (error) {
    vscode.window.showErrorMessage(
      `ETSL: could not start '${serverOptions().command} lsp' (${error.message}). ` +
        "Install it with pip install 'etsl[lsp]' or set etsl.server.command.",
    );
  }
  context.subscriptions.push(client);
}

async function activate(context) {
  context.subscriptions.push(
    vscode.commands.registerCommand("etsl.restartServer", async () => {
      if (client) {
        await client.stop();
      }
      await start(context);
    }),
  );
  await start(context);
}

async function deactivate() {
  if (client) {
    await client.stop();
  }
}

module.exports = { activate, deactivate };
