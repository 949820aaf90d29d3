"""PDF output: every HTML page of a site printed by headless Chromium, on A4.

    pdfs = print_site(Path("site"), ["index.html", "tokyo_cat-factsheet.html"])
    # {"index.pdf": b"%PDF-…", "tokyo_cat-factsheet.pdf": b"%PDF-…"}

Chromium renders the pages exactly as a reader's browser does (the same engine the browser
tests and screenshots use), follows the print stylesheet (`@page` size and margins, tables
kept whole, figures as vectors) and embeds the fonts, Japanese included. It is found as
`$ETSL_CHROMIUM`, else `chromium` or `chromium-browser` on the PATH (Debian: `apt-get
install chromium`). Pages print in parallel, each in a throw-away browser profile, with no
network access beyond the files themselves.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from etsl.compiler.errors import EtslError

#: Seconds one page may take to print.
TIMEOUT = 120
FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--no-pdf-header-footer",
    "--run-all-compositor-stages-before-draw",
)


class PdfError(EtslError):
    """Chromium is missing or failed to print a page (the message says which, and how to fix it)."""


def chromium() -> str:
    """The Chromium executable to print with."""
    for candidate in (os.environ.get("ETSL_CHROMIUM"), "chromium", "chromium-browser"):
        found = shutil.which(candidate) if candidate else None
        if found:
            return found
    raise PdfError(
        "PDF output needs headless Chromium, which was not found; install it "
        "(Debian: apt-get install chromium) or set ETSL_CHROMIUM to its path"
    )


def print_page(browser: str, page: Path, target: Path) -> None:
    """Print one HTML file to `target` (A4 unless the page's CSS says otherwise)."""
    profile = tempfile.mkdtemp(prefix="etsl-chromium-")
    try:
        result = subprocess.run(
            [
                browser,
                *FLAGS,
                f"--user-data-dir={profile}",
                f"--print-to-pdf={target}",
                page.resolve().as_uri(),
            ],
            capture_output=True,
            text=True,
            timeout=TIMEOUT,
            check=False,
        )
    except subprocess.TimeoutExpired:
        raise PdfError(f"Chromium took more than {TIMEOUT} s to print '{page.name}'") from None
    finally:
        shutil.rmtree(profile, ignore_errors=True)
    if result.returncode != 0 or not target.exists() or target.stat().st_size == 0:
        detail = result.stderr.strip().splitlines()[-1:] or ["no output"]
        raise PdfError(f"Chromium could not print '{page.name}': {detail[0]}")


def print_site(folder: Path, pages: Sequence[str], workers: int | None = None) -> dict[str, bytes]:
    """Print `pages` (paths inside `folder`) to PDF: file name → PDF bytes."""
    browser = chromium()
    with tempfile.TemporaryDirectory(prefix="etsl-pdf-out-") as out:
        targets = {name: Path(out) / f"{index}.pdf" for index, name in enumerate(pages)}
        count = workers or max(1, min(4, os.cpu_count() or 1))
        with ThreadPoolExecutor(max_workers=count) as pool:
            jobs = [
                pool.submit(print_page, browser, folder / name, target)
                for name, target in targets.items()
            ]
            for job in jobs:
                job.result()
        return {
            name.removesuffix(".html") + ".pdf": target.read_bytes()
            for name, target in targets.items()
        }
