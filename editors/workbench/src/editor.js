// The ETSL workbench's code editor: CodeMirror 6 with ETSL highlighting (word lists read
// from the server, which reads them from the grammar), diagnostics, quick fixes, hover and
// completion answered by the language server's functions through the workbench's API.
// Bundled by build.mjs into etsl/serve/static/editor.js as window.ETSLEditor.
import { EditorView, basicSetup } from "codemirror";
import { EditorState } from "@codemirror/state";
import { StreamLanguage } from "@codemirror/language";
import { linter, lintGutter, forceLinting } from "@codemirror/lint";
import { autocompletion } from "@codemirror/autocomplete";
import { hoverTooltip, keymap } from "@codemirror/view";

// ---- positions: CodeMirror offsets <-> LSP line/character (both count UTF-16 units) ----

export function toLsp(doc, pos) {
  const line = doc.lineAt(pos);
  return { line: line.number - 1, character: pos - line.from };
}

export function fromLsp(doc, position) {
  const number = Math.min(Math.max(position.line + 1, 1), doc.lines);
  const line = doc.line(number);
  return Math.min(line.from + position.character, line.to);
}

// ---- highlighting ------------------------------------------------------------------------

const STYLES = {
  declaration: "definitionKeyword",
  keyword: "keyword",
  control: "controlKeyword",
  operator: "operatorKeyword",
  constant: "bool",
  builtin: "variableName.standard",
  unit: "typeName",
  value: "atom",
};

function etslLanguage(words) {
  const classes = new Map();
  for (const [kind, list] of Object.entries(words)) {
    for (const word of list) if (!classes.has(word)) classes.set(word, STYLES[kind]);
  }
  return StreamLanguage.define({
    name: "etsl",
    token(stream) {
      if (stream.eatSpace()) return null;
      if (stream.match(/^#.*/)) return "comment";
      if (stream.match(/^"(?:[^"\\]|\\.)*"?/)) return "string";
      if (stream.match(/^\d{4}-\d{2}-\d{2}/) || stream.match(/^\d[\d_]*(?:\.\d+)?/)) return "number";
      const word = stream.match(/^[A-Za-z_]\w*/);
      if (word) return classes.get(word[0]) || "variableName";
      if (stream.match(/^%/)) return "typeName";
      if (stream.match(/^(?:\.\.|>=|<=|==|!=|[<>=+\-*/])/)) return "operator";
      stream.next();
      return "punctuation";
    },
    languageData: { commentTokens: { line: "#" } },
  });
}

// ---- hover: a little Markdown (bold, code, code blocks, links), escaped first ----------

function escape(text) {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

export function markdown(text) {
  return text
    .split(/\n{2,}/)
    .map((block) => {
      const fenced = block.match(/^```\w*\n([\s\S]*?)\n?```$/);
      if (fenced) return `<pre>${escape(fenced[1])}</pre>`;
      const html = escape(block)
        .replace(/\*\*(.+?)\*\*/g, "<strong>$1</strong>")
        .replace(/`([^`]+)`/g, "<code>$1</code>")
        .replace(/_(.+?)_(?=\s|$)/g, "<em>$1</em>")
        .replace(/&#60;(https?:\/\/[^\s&]+)&#62;/g, '<a href="$1" target="_blank" rel="noopener noreferrer">$1</a>');
      return `<p>${html}</p>`;
    })
    .join("");
}

// ---- diagnostics -------------------------------------------------------------------------

const SEVERITIES = { 1: "error", 2: "warning", 3: "info", 4: "hint" };

function toCodeMirror(doc, diagnostic, fixes, apply) {
  let from = fromLsp(doc, diagnostic.range.start);
  let to = fromLsp(doc, diagnostic.range.end);
  if (to <= from) to = Math.min(from + 1, doc.length);
  if (from >= doc.length) from = Math.max(0, doc.length - 1);
  const mine = fixes.filter((fix) =>
    (fix.diagnostics || []).some((d) => d.message === diagnostic.message && d.range.start.line === diagnostic.range.start.line),
  );
  return {
    from,
    to,
    severity: SEVERITIES[diagnostic.severity] || "error",
    message: diagnostic.message,
    source: diagnostic.code ? `etsl ${diagnostic.code}` : "etsl",
    actions: mine.map((fix) => ({ name: fix.title, apply: (view) => apply(view, fix) })),
  };
}

export function applyEdits(view, edits) {
  const doc = view.state.doc;
  const changes = edits.map((e) => ({ from: fromLsp(doc, e.range.start), to: fromLsp(doc, e.range.end), insert: e.newText }));
  view.dispatch({ changes });
}

function applyFix(view, fix) {
  const changes = fix.edit && fix.edit.changes ? Object.values(fix.edit.changes)[0] : [];
  applyEdits(view, changes || []);
}

// ---- completion --------------------------------------------------------------------------

const KINDS = { 14: "keyword", 6: "variable", 21: "constant", 22: "class", 3: "function", 11: "type", 20: "enum", 23: "event", 7: "class", 18: "text", 9: "namespace" };

function completionSource(options) {
  return async (context) => {
    const word = context.matchBefore(/[A-Za-z_]\w*/);
    if (!word && !context.explicit && !/[\s(,]$/.test(context.state.sliceDoc(context.pos - 1, context.pos))) return null;
    const at = toLsp(context.state.doc, context.pos);
    const list = await options.complete(context.state.doc.toString(), at.line, at.character);
    if (!list || !list.items || !list.items.length) return null;
    return {
      from: word ? word.from : context.pos,
      options: list.items.map((item) => ({
        label: item.label,
        type: KINDS[item.kind] || "text",
        detail: item.detail || undefined,
        info: typeof item.documentation === "string" ? item.documentation : undefined,
        boost: item.kind === 14 ? -1 : 0,
      })),
      validFor: /^\w*$/,
    };
  };
}

// ---- the editor --------------------------------------------------------------------------

export function create(options) {
  const check = linter(
    async (view) => {
      const text = view.state.doc.toString();
      const found = await options.check(text);
      if (!found || view.state.doc.toString() !== text) return [];
      return found.diagnostics.map((d) => toCodeMirror(view.state.doc, d, found.fixes || [], applyFix));
    },
    { delay: options.delay ?? 250 },
  );
  const hover = hoverTooltip(async (view, pos) => {
    const at = toLsp(view.state.doc, pos);
    const found = await options.hover(view.state.doc.toString(), at.line, at.character);
    if (!found || !found.contents) return null;
    return {
      pos: found.range ? fromLsp(view.state.doc, found.range.start) : pos,
      end: found.range ? fromLsp(view.state.doc, found.range.end) : pos,
      create() {
        const dom = document.createElement("div");
        dom.className = "etsl-hover";
        dom.innerHTML = markdown(found.contents.value || "");
        return { dom };
      },
    };
  });
  const save = keymap.of([{ key: "Mod-s", preventDefault: true, run: () => (options.onSave ? (options.onSave(), true) : false) }]);
  const view = new EditorView({
    parent: options.parent,
    state: EditorState.create({
      doc: options.doc || "",
      extensions: [
        save,
        basicSetup,
        etslLanguage(options.words || {}),
        lintGutter(),
        check,
        hover,
        autocompletion({ override: [completionSource(options)], activateOnTyping: true }),
        EditorView.updateListener.of((update) => {
          if (update.docChanged && options.onChange) options.onChange(update.state.doc.toString());
        }),
      ],
    }),
  });
  return {
    view,
    getText: () => view.state.doc.toString(),
    setText(text) {
      view.dispatch({ changes: { from: 0, to: view.state.doc.length, insert: text } });
    },
    recheck: () => forceLinting(view),
    applyFix: (fix) => applyFix(view, fix),
    goTo(position) {
      const pos = fromLsp(view.state.doc, position);
      view.dispatch({ selection: { anchor: pos }, scrollIntoView: true });
      view.focus();
    },
  };
}
