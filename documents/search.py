"""Search over the static site, without a server: an index of every section, in one page.

    >>> entries = index_of({"a.html": '<title>A</title><main><h2 id="x">Caps</h2><p>Cap</p></main>'})
    >>> [(e["page"], e["section"], e["url"]) for e in entries]
    [('A', 'Caps', 'a.html#x')]

Every other page has a search box (a plain form, no script) that opens `search.html?q=…`.
The search page is the site's only page with a script: it is inline, reads only the index
inlined beside it, and a Content-Security-Policy allows exactly that script and nothing else
(no network, no other script).
"""

from __future__ import annotations

import base64
import hashlib
import json
from collections.abc import Mapping
from html.parser import HTMLParser
from typing import Any

from etsl.documents.render import render
from etsl.documents.shell import Shell
from markupsafe import Markup

#: Characters of a section's text kept in the index (enough to find and show a snippet).
TEXT_LIMIT = 1500
_SKIP = {"script", "style", "svg", "nav", "header", "footer", "title"}

SCRIPT = """
(function () {
  var data = JSON.parse(document.getElementById("search-index").textContent);
  var form = document.getElementById("search-form");
  var box = document.getElementById("search-q");
  var out = document.getElementById("search-results");
  var words = document.getElementById("search-words");
  var count = document.getElementById("search-count");
  function norm(s) { return s.normalize("NFKC").toLowerCase(); }
  function run(query) {
    var terms = norm(query).split(/\\s+/).filter(function (t) { return t.length > 0; });
    out.textContent = "";
    count.textContent = "";
    if (!terms.length) { return; }
    var hits = data.filter(function (e) {
      var text = norm(e.page + " " + e.section + " " + e.text);
      return terms.every(function (t) { return text.indexOf(t) >= 0; });
    });
    function score(e) {
      var title = norm(e.page + " " + e.section);
      return terms.filter(function (t) { return title.indexOf(t) >= 0; }).length;
    }
    hits.sort(function (a, b) { return score(b) - score(a); });
    count.textContent = (hits.length ? words.dataset.found : words.dataset.none)
      .replace("{count}", String(hits.length));
    hits.slice(0, 100).forEach(function (e) {
      var item = document.createElement("li");
      var link = document.createElement("a");
      link.href = e.url;
      link.textContent = e.page + (e.section ? " — " + e.section : "");
      item.appendChild(link);
      var at = norm(e.text).indexOf(terms[0]);
      var snippet = document.createElement("div");
      snippet.className = "note";
      snippet.textContent = e.text.slice(Math.max(0, at - 60), at + 140);
      item.appendChild(snippet);
      out.appendChild(item);
    });
  }
  var query = new URLSearchParams(window.location.search).get("q") || "";
  box.value = query;
  run(query);
  form.addEventListener("submit", function (event) {
    event.preventDefault();
    history.replaceState(null, "", "?q=" + encodeURIComponent(box.value));
    run(box.value);
  });
})();
"""


class _Sections(HTMLParser):
    """Splits a page's main content into sections at headings with an id."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.title = ""
        self.sections: list[dict[str, Any]] = [{"id": "", "section": "", "text": []}]
        self.skip = 0
        self.in_title = False
        self.in_heading = False
        self.in_main = False
        self.pending = ""  # the id of a section whose heading has none

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.skip += tag in _SKIP
        self.in_title |= tag == "title"
        self.in_main |= tag == "main"
        if tag in ("section", "article"):
            self.pending = dict(attrs).get("id") or ""
        if tag in ("h1", "h2", "h3") and self.in_main:
            ident = dict(attrs).get("id") or (self.pending if tag != "h1" else "")
            self.pending = ""
            if ident or tag == "h1":
                self.sections.append({"id": ident, "section": "", "text": []})
                self.in_heading = tag != "h1"

    def handle_endtag(self, tag: str) -> None:
        self.skip -= tag in _SKIP
        self.in_title &= tag != "title"
        self.in_heading &= tag not in ("h2", "h3")

    def handle_data(self, data: str) -> None:
        if self.in_title:
            self.title += data
        if self.skip or not self.in_main:
            return
        current = self.sections[-1]
        if self.in_heading:
            current["section"] += data
        else:
            current["text"].append(data)


def index_of(files: Mapping[str, str]) -> list[dict[str, str]]:
    """One entry per section of every HTML page: page title, section, address, text."""
    entries = []
    for name, html in files.items():
        if not name.endswith(".html") or name == "search.html":
            continue
        parser = _Sections()
        parser.feed(html)
        page = parser.title.split(" · ")[0].strip()
        for section in parser.sections:
            text = " ".join(" ".join(section["text"]).split())[:TEXT_LIMIT]
            if not text and not section["section"]:
                continue
            url = f"{name}#{section['id']}" if section["id"] else name
            entries.append(
                {"page": page, "section": section["section"].strip(), "url": url, "text": text}
            )
    return entries


def inline_json(data: object) -> Markup:
    """JSON safe inside a `<script type="application/json">` element."""
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    return Markup(text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026"))


def script_hash(script: str) -> str:
    """The CSP source that allows exactly this inline script."""
    digest = hashlib.sha256(script.encode("utf-8")).digest()
    return f"'sha256-{base64.b64encode(digest).decode('ascii')}'"


def search_page(files: Mapping[str, str], shell: Shell) -> str:
    """The search page of a site whose other pages are `files`."""
    return render(
        "search.html.j2",
        index=inline_json(index_of(files)),
        script=Markup(SCRIPT),
        script_hash=Markup(script_hash(SCRIPT)),
        shell=shell,
    )
