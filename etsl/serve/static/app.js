// The ETSL workbench page: wires the editor (editor.js, CodeMirror) to the workbench API.
// Every value from the server is inserted as text, or into sandboxed frames and images.
"use strict";

const TOKEN = document.querySelector('meta[name="etsl-token"]').content;
const $ = (id) => document.getElementById(id);
const state = { path: null, writable: false, editor: null, compiled: false, pageTimer: null };

async function api(name, body) {
  let response;
  try {
    response = await fetch(`/api/${name}`, {
      method: "POST",
      headers: { "Content-Type": "application/json", "X-ETSL-Token": TOKEN },
      body: JSON.stringify(body || {}),
    });
  } catch (error) {
    throw new Error(`the workbench server does not answer (${error.message})`);
  }
  const data = await response.json().catch(() => ({ error: `the server answered ${response.status}` }));
  if (!response.ok) {
    const error = new Error(data.error || `the server answered ${response.status}`);
    error.diagnostics = data.diagnostics;
    throw error;
  }
  return data;
}

function status(text, isError) {
  $("status").textContent = text;
  $("status").className = isError ? "error" : "";
}

function message(where, error) {
  const p = document.createElement("p");
  p.className = "message";
  p.textContent = error.message;
  $(where).replaceChildren(p);
}

function doc(extra) {
  return { path: state.path, text: state.editor.getText(), ...(extra || {}) };
}

// ---- the editor and its problems ---------------------------------------------------------

async function check(text) {
  const found = await api("check", { path: state.path, text });
  const fixes = found.diagnostics.length
    ? await api("fixes", { path: state.path, text, diagnostics: found.diagnostics }).catch(() => [])
    : [];
  showProblems(found.diagnostics, fixes);
  state.compiled = found.schemes.length > 0 && !found.diagnostics.some((d) => d.severity === 1);
  if (state.compiled) schedulePage();
  return { diagnostics: found.diagnostics, fixes };
}

function showProblems(diagnostics, fixes) {
  const box = $("problems");
  if (!diagnostics.length) {
    const ok = document.createElement("div");
    ok.className = "problem ok";
    ok.textContent = "✓ No problems";
    box.replaceChildren(ok);
    return;
  }
  box.replaceChildren(
    ...diagnostics.map((d) => {
      const row = document.createElement("div");
      row.className = `problem ${d.severity === 1 ? "error" : "warning"}`;
      const where = `${d.range.start.line + 1}:${d.range.start.character + 1}`;
      row.textContent = `${where} ${d.severity === 1 ? "error" : "warning"}: ${d.message} [${d.code}]`;
      row.addEventListener("click", () => state.editor.goTo(d.range.start));
      for (const fix of fixes.filter((f) => (f.diagnostics || []).some((x) => x.message === d.message))) {
        const button = document.createElement("button");
        button.type = "button";
        button.textContent = `Fix: ${fix.title}`;
        button.addEventListener("click", (event) => {
          event.stopPropagation();
          state.editor.applyFix(fix);
        });
        row.append(button);
      }
      return row;
    }),
  );
}

function schedulePage() {
  clearTimeout(state.pageTimer);
  state.pageTimer = setTimeout(refreshPage, 600);
}

async function refreshPage() {
  try {
    const page = await api("page", doc());
    $("page").srcdoc = page.html;
    $("page-note").textContent = `The documentation page of ${page.scheme}, as etsl docs renders it.`;
  } catch (error) {
    $("page-note").textContent = error.message;
  }
}

async function openFile(path) {
  try {
    const file = await api("open", { path });
    state.path = file.path;
    state.writable = file.writable;
    $("save").disabled = !file.writable;
    $("where").textContent = file.writable ? "" : "(library: read-only)";
    state.editor.setText(file.text);
    state.editor.recheck();
    $("page").srcdoc = "";
    status(`Opened ${path}`);
  } catch (error) {
    status(error.message, true);
  }
}

async function save() {
  try {
    const saved = await api("save", doc());
    status(`Saved ${saved.saved}`);
  } catch (error) {
    status(error.message, true);
  }
}

async function format() {
  try {
    const formatted = await api("format", doc());
    if (formatted.text !== state.editor.getText()) state.editor.setText(formatted.text);
    status("Formatted");
  } catch (error) {
    status(error.message, true);
  }
}

// ---- examples, data, sweeps, comparisons, links ------------------------------------------

async function runExamples() {
  try {
    const found = await api("examples", doc());
    const lines = found.outcomes.map((o) => {
      const div = document.createElement("div");
      div.className = `outcome ${o.passed ? "passed" : "failed"}`;
      div.textContent = o.text;
      return div;
    });
    const total = document.createElement("p");
    total.textContent = `${found.passed} passed, ${found.failed} failed`;
    total.id = "examples-total";
    $("examples").replaceChildren(total, ...lines);
  } catch (error) {
    message("examples", error);
  }
}

function table(columns, rows, onClick) {
  const t = document.createElement("table");
  const head = t.createTHead().insertRow();
  for (const c of columns) head.append(Object.assign(document.createElement("th"), { textContent: c }));
  const body = t.createTBody();
  for (const row of rows) {
    const tr = body.insertRow();
    columns.forEach((c, i) => {
      const cell = tr.insertCell();
      if (i === 0 && onClick) {
        const a = Object.assign(document.createElement("a"), { textContent: row[c] });
        a.addEventListener("click", () => onClick(row));
        cell.append(a);
      } else cell.textContent = row[c] ?? "";
    });
  }
  return t;
}

async function upload() {
  const file = $("upload").files[0];
  if (!file) return;
  const form = new FormData();
  form.append("file", file);
  try {
    const response = await fetch("/api/upload", { method: "POST", headers: { "X-ETSL-Token": TOKEN }, body: form });
    const data = await response.json();
    if (!response.ok) throw new Error(data.error);
    $("data").append(new Option(`uploaded: ${data.name}`, data.data, true, true));
    status(`Uploaded ${data.name}`);
  } catch (error) {
    status(error.message, true);
  }
}

async function runData() {
  $("explanation").textContent = "";
  try {
    const found = await api("run", doc({ data: $("data").value }));
    const summary = Object.entries(found.summary)
      .filter(([, v]) => typeof v !== "object")
      .map(([k, v]) => ({ measure: k.replaceAll("_", " "), value: String(v) }));
    $("summary").replaceChildren(table(["measure", "value"], summary));
    const note = document.createElement("p");
    note.className = "muted";
    note.textContent = `${found.total_rows} rows; click a participant to see how its values were derived.` +
      (found.problems.length ? ` Data problems: ${found.problems.join("; ")}` : "");
    $("results").replaceChildren(note, table(found.columns, found.rows, explain));
  } catch (error) {
    message("results", error);
    $("summary").replaceChildren();
  }
}

async function explain(row) {
  try {
    const found = await api("explain", doc({ data: $("data").value, participant: row.participant }));
    $("explanation").textContent = found.text;
  } catch (error) {
    $("explanation").textContent = error.message;
  }
}

async function sweep() {
  try {
    const vary = $("vary").value.split("\n").map((v) => v.trim()).filter(Boolean);
    const found = await api("sweep", doc({ data: $("data").value, vary, metric: $("metric").value.trim() }));
    const img = document.createElement("img");
    img.alt = "sweep chart";
    img.src = "data:image/svg+xml;charset=utf-8," + encodeURIComponent(found.svg);
    $("chart").replaceChildren(img);
    const columns = found.rows.length ? Object.keys(found.rows[0]) : [];
    $("sweep-table").replaceChildren(table(columns, found.rows));
  } catch (error) {
    message("chart", error);
    $("sweep-table").replaceChildren();
  }
}

async function compare() {
  try {
    const found = await api("compare", doc({ other: $("compare-with").value }));
    $("comparison").srcdoc = found.html;
  } catch (error) {
    $("comparison").srcdoc = "";
    status(error.message, true);
  }
}

async function link() {
  try {
    const found = await api("link", doc({ other: $("link-with").value }));
    $("link-report").textContent = found.text;
  } catch (error) {
    $("link-report").textContent = error.message;
  }
}

// ---- start ----------------------------------------------------------------------------------

function tabs() {
  for (const button of document.querySelectorAll(".tabs button")) {
    button.addEventListener("click", () => {
      for (const b of document.querySelectorAll(".tabs button")) b.classList.toggle("active", b === button);
      for (const t of document.querySelectorAll(".tab")) t.classList.toggle("active", t.id === `tab-${button.dataset.tab}`);
    });
  }
}

async function start() {
  tabs();
  const [files, words] = await Promise.all([api("files"), api("language")]);
  const paths = files.schemes.map((s) => s.path);
  for (const select of [$("file"), ...document.querySelectorAll(".others")]) {
    select.replaceChildren(...paths.map((p) => new Option(p, p)));
  }
  $("data").replaceChildren(...files.samples.map((s) => new Option(s, s)));
  state.editor = ETSLEditor.create({
    parent: $("editor"),
    words,
    check,
    hover: (text, line, character) => api("hover", { path: state.path, text, line, character }).catch(() => null),
    complete: (text, line, character) => api("complete", { path: state.path, text, line, character }).catch(() => null),
    onSave: save,
  });
  const wanted = new URLSearchParams(location.search).get("file");
  const first = paths.find((p) => p === wanted) || paths.find((p) => p.endsWith("tokyo_cat.scheme")) || paths[0];
  if (first) {
    $("file").value = first;
    await openFile(first);
  } else status("No scheme files in this folder", true);
  $("file").addEventListener("change", () => openFile($("file").value));
  $("save").addEventListener("click", save);
  $("format").addEventListener("click", format);
  $("run-examples").addEventListener("click", runExamples);
  $("upload").addEventListener("change", upload);
  $("run").addEventListener("click", runData);
  $("sweep").addEventListener("click", sweep);
  $("compare").addEventListener("click", compare);
  $("link").addEventListener("click", link);
}

start().catch((error) => status(error.message, true));
