"""The screenshots of docs/editors.md: the workbench (`etsl serve` on the bundled library)
in headless Chromium (Debian's `chromium`, driven by Playwright) on the Tokyo scheme.

    python editors/screenshots.py [FOLDER]      # default: docs/images

Writes workbench-hover.png (hover on a rule: its sentence, unit, citation and example
value), workbench-fix.png (an error typed, flagged with its quick fix) and
workbench-examples.png (the fix applied and the scheme's examples run)."""

from __future__ import annotations

import sys
import threading
import time
from pathlib import Path

import uvicorn
from playwright.sync_api import Page, sync_playwright

from etsl.serve.app import make_app

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
from tests.test_workbench_browser import ARGS, CHROMIUM  # noqa: E402  (the tests' browser)

PORT = 8765

# Puts the cursor on a snippet's first character and answers its place on the screen.
POINT_AT = """snippet => {
    const view = state.editor.view;
    const text = view.state.doc.toString();
    const at = text.indexOf(snippet);
    const centre = view.constructor.scrollIntoView(at, {y: "center"});
    view.dispatch({selection: {anchor: at}, effects: centre});
    view.focus();
    return new Promise(done => requestAnimationFrame(() => {
        const box = view.coordsAtPos(at + 1);
        done({x: box.left, y: (box.top + box.bottom) / 2});
    }));
}"""


def _serve() -> uvicorn.Server:
    config = uvicorn.Config(make_app(None), host="127.0.0.1", port=PORT, log_level="warning")
    server = uvicorn.Server(config)
    threading.Thread(target=server.run, daemon=True).start()
    deadline = time.monotonic() + 20
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.05)
    return server


def _hover(page: Page, snippet: str) -> None:
    point = page.evaluate(POINT_AT, snippet)
    page.mouse.move(point["x"] - 40, point["y"] + 40)
    page.mouse.move(point["x"], point["y"])


def shoot(folder: Path) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    server = _serve()
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
            page = browser.new_page(viewport={"width": 1400, "height": 860})
            page.goto(f"http://127.0.0.1:{PORT}/?file=japan/tokyo_cat.scheme")
            page.wait_for_selector("#problems .problem.ok", timeout=30000)
            page.wait_for_function("document.getElementById('page').srcdoc", timeout=60000)
            page.wait_for_timeout(1000)  # the documents page, drawn
            _hover(page, "cap = floor(")
            page.wait_for_selector(".etsl-hover", timeout=10000)
            page.screenshot(path=str(folder / "workbench-hover.png"))
            page.mouse.move(5, 5)
            page.evaluate(POINT_AT, "base_emissions * years(")
            page.keyboard.type("x")
            page.wait_for_selector("#problems .problem.error", timeout=10000)
            page.wait_for_selector(".cm-lintRange-error")
            _hover(page, "xbase_emissions * years(")
            page.wait_for_selector(".cm-tooltip-lint", timeout=10000)
            page.screenshot(path=str(folder / "workbench-fix.png"))
            page.mouse.move(5, 5)
            page.click("#problems .problem.error button")
            page.wait_for_selector("#problems .problem.ok", timeout=10000)
            page.click("button[data-tab=examples]")
            page.click("#run-examples")
            page.wait_for_selector("#examples-total", timeout=30000)
            page.screenshot(path=str(folder / "workbench-examples.png"))
            browser.close()
    finally:
        server.should_exit = True


if __name__ == "__main__":
    shoot(Path(sys.argv[1]) if len(sys.argv) > 1 else REPO / "docs" / "images")
