// Bundles src/editor.js (CodeMirror 6 and the ETSL editor) into etsl/serve/static/editor.js,
// minified, as window.ETSLEditor. The first line records a hash of the inputs (this script,
// src/, package.json, package-lock.json); tests/test_serve.py checks that it is current.
import { build } from "esbuild";
import { createHash } from "node:crypto";
import { readFileSync, readdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";

const inputs = ["build.mjs", "package.json", "package-lock.json", ...readdirSync("src").sort().map((f) => join("src", f))];
const hash = createHash("sha256");
for (const file of inputs) {
  hash.update(file + "\0");
  hash.update(readFileSync(file));
}
const result = await build({
  entryPoints: ["src/editor.js"],
  bundle: true,
  minify: true,
  format: "iife",
  globalName: "ETSLEditor",
  target: ["es2020"],
  write: false,
  legalComments: "none",
});
const banner = `/* etsl workbench editor; inputs sha256:${hash.digest("hex")}; CodeMirror 6 (MIT), bundled by editors/workbench/build.mjs */\n`;
writeFileSync("../../etsl/serve/static/editor.js", banner + result.outputFiles[0].text);
console.log(`wrote etsl/serve/static/editor.js (${result.outputFiles[0].text.length} bytes)`);
