"""The one rendering environment: every HTML and Markdown document ETSL writes comes from here.

    >>> print(render_string("{{ title }} <{{ link | url }}>", "page.md.j2",
    ...                     title="*Caps* <b>", link="https://example.org/?a=1&b=2"))
    \\*Caps\\* &lt;b&gt; <https://example.org/?a=1&b=2>

Scheme text is untrusted, so the escaping policy lives here once, chosen by the template's
suffix:

- `*.html.j2`: Jinja2 autoescaping (`& < > " '` become entities).
- `*.md.j2`: every value is escaped for Markdown by `md_escape` (HTML-escaped, and the
  characters that start links, emphasis, code or table cells made inert), because Markdown
  renderers pass raw HTML through. Templates mark code spans with `|code`, fenced blocks
  with `|fence`.
- every link goes through `safe_url` (the `|url` filter): only `http`/`https` addresses
  become links; anything else (`javascript:`, `data:`, relative paths) is shown as text.
  Inside Markdown autolinks (`<…>`) the address is written raw (percent-encoded where a
  character cannot appear in one), since renderers do not decode entities there.
"""

from __future__ import annotations

import functools
import re
from pathlib import Path
from typing import Any
from urllib.parse import quote

from etsl.documents import i18n
from etsl.documents.wording import colon, comma, full_stop, label, year_alone
from jinja2 import Environment, FileSystemLoader, StrictUndefined, pass_context
from jinja2.runtime import Context
from markupsafe import Markup

TEMPLATES = Path(__file__).parent / "templates"

_MD_SPECIAL = re.compile(r"([\\`*|\[\]])")
_WEB = re.compile(r"https?://[^\s/?#]+", re.I)
#: Characters kept as they are in an address (RFC 3986 reserved and unreserved, and `%`).
_URL_SAFE = ":/?#[]@!$&'()*+,;=-._~%"


def safe_url(url: str | None) -> str | None:
    """A web address fit to link, or None: `http(s)://host…` only, percent-encoded where a
    character cannot appear in an address (spaces, `<`, `>`, `"`, non-ASCII).

    >>> safe_url("https://example.org/a b?x=1&y=<2>")
    'https://example.org/a%20b?x=1&y=%3C2%3E'
    >>> safe_url("javascript:alert(1)") is None, safe_url("//evil.example") is None
    (True, True)
    """
    text = (url or "").strip()
    if not _WEB.match(text):
        return None
    return quote(text, safe=_URL_SAFE)


def md_escape(value: Any) -> Markup:
    """Text for a Markdown paragraph or table cell: HTML-escaped, links, emphasis, code and
    cell separators inert, on one line.

    >>> print(md_escape("a | b <c> *d* [e](javascript:x) & f"))
    a \\| b &lt;c&gt; \\*d\\* \\[e\\](javascript:x) &amp; f
    """
    if isinstance(value, Markup):
        return value
    text = str(value).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return Markup(_MD_SPECIAL.sub(r"\\\1", " ".join(text.splitlines())))


def md_code(value: Any) -> Markup:
    """Text as a Markdown code span (HTML is not interpreted inside one)."""
    return Markup(f"`{str(value).replace('`', '').replace('|', '/')}`")


def md_fence(value: Any) -> Markup:
    """Text for a fenced code block (HTML is not interpreted inside one)."""
    return Markup(str(value).replace("`", "'"))


_CODE_SPAN = re.compile(r"`([^`]+)`")


@pass_context
def _code_spans(context: Context, value: Any) -> Markup:
    """The `|code_spans` filter, for the program's own wording (never scheme text): text
    escaped, and each `code` span shown as code (`<code>` in HTML, a code span in Markdown).

    >>> render_string("{{ 'Declare `mrv` <here>' | code_spans }}", "x.html.j2")
    'Declare <code>mrv</code> &lt;here&gt;'
    """
    markdown = is_markdown(context)
    escape = md_escape if markdown else Markup.escape
    parts = _CODE_SPAN.split(str(value))
    shown = [
        (md_code(part) if markdown else Markup("<code>%s</code>") % part)
        if index % 2
        else escape(part)
        for index, part in enumerate(parts)
    ]
    return Markup("").join(shown)


def is_markdown(context: Context) -> bool:
    """Whether the template being rendered writes Markdown (by its name)."""
    return (context.name or "").endswith(".md.j2")


@pass_context
def _finalize(context: Context, value: Any) -> Any:
    """Markdown templates escape every value for Markdown; HTML ones leave it to autoescape."""
    if value is None:
        raise ValueError("a template printed None; the view must say what is absent")
    return md_escape(value) if is_markdown(context) else value


@pass_context
def _url(context: Context, url: Any) -> Any:
    """The `|url` filter: a safe address, or '' (templates show the text instead)."""
    address = safe_url(None if url is None else str(url)) or ""
    return Markup(address) if is_markdown(context) else address


@functools.cache
def environment() -> Environment:
    """The Jinja2 environment of every document: autoescaping, the Markdown policy, `|url`,
    i18n (the language being written, `etsl.documents.i18n`), strict undefined names."""
    env = Environment(
        loader=FileSystemLoader(TEMPLATES),
        autoescape=True,
        finalize=_finalize,
        extensions=["jinja2.ext.i18n"],
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.install_gettext_callables(  # type: ignore[attr-defined]
        gettext=i18n.gettext, ngettext=i18n.ngettext, pgettext=i18n.pgettext, newstyle=False
    )
    env.filters["md"] = md_escape
    env.filters["code"] = md_code
    env.filters["fence"] = md_fence
    env.filters["url"] = _url
    env.filters["code_spans"] = _code_spans
    env.filters["label"] = label
    env.globals["comma"] = comma  # list and heading punctuation of the language
    env.globals["colon"] = colon
    env.globals["full_stop"] = full_stop
    env.globals["year_alone"] = year_alone  # a period bound in a sentence: 2026年, 2026年度
    return env


def render(template: str, **context: Any) -> str:
    """Render one template of `documents/templates` with the shared environment."""
    return str(environment().get_template(template).render(**context))


def render_string(source: str, name: str, **context: Any) -> str:
    """Render template text as if it were the template `name` (its suffix picks the
    escaping policy); for tests and examples."""
    template = environment().from_string(source)
    template.name = name
    return str(template.render(**context))
