"""The workbench in headless Chromium (Debian's `chromium`, driven by Playwright): open the
Tokyo scheme, type an error, see it flagged with a fix, apply the fix, run the examples."""

from __future__ import annotations

import shutil
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

playwright_api = pytest.importorskip("playwright.sync_api", reason="playwright is not installed")
uvicorn = pytest.importorskip("uvicorn", reason="the 'serve' extra is not installed")

from etsl.serve.app import make_app  # noqa: E402

REPO = Path(__file__).resolve().parent.parent
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
]
pytestmark = pytest.mark.skipif(
    not Path(CHROMIUM).exists(), reason="Debian's chromium is not installed (.ci/run installs it)"
)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="module")
def address(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    folder = tmp_path_factory.mktemp("bench")
    shutil.copy(REPO / "schemes" / "japan" / "tokyo_cat.scheme", folder)
    port = _free_port()
    config = uvicorn.Config(make_app(folder), host="127.0.0.1", port=port, log_level="warning")
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}/"
    server.should_exit = True
    thread.join(10)


@pytest.fixture(scope="module")
def page(address: str) -> Iterator[object]:
    with playwright_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        page = browser.new_page(viewport={"width": 1400, "height": 900})
        errors: list[str] = []
        page.on("pageerror", lambda error: errors.append(str(error)))
        page.goto(address)
        page.wait_for_selector("#problems .problem.ok", timeout=20000)
        yield page
        browser.close()
        assert not errors, errors


def _put_cursor_after(page: object, snippet: str) -> None:
    page.evaluate(  # type: ignore[attr-defined]
        """snippet => {
            const text = state.editor.getText();
            const offset = text.indexOf(snippet) + snippet.length;
            const line = text.slice(0, offset).split("\\n").length - 1;
            const character = offset - (text.lastIndexOf("\\n", offset - 1) + 1);
            state.editor.goTo({line, character});
        }""",
        snippet,
    )


def test_an_error_is_flagged_fixed_and_the_examples_run(page: object) -> None:
    _put_cursor_after(page, "cap = floor(")
    page.keyboard.type("x")  # type: ignore[attr-defined]
    problem = page.wait_for_selector("#problems .problem.error", timeout=10000)  # type: ignore[attr-defined]
    assert "unknown name 'xbase_emissions'" in problem.inner_text()
    page.wait_for_selector(".cm-lint-marker-error")  # type: ignore[attr-defined]
    page.click("#problems .problem.error button")  # type: ignore[attr-defined]
    page.wait_for_selector("#problems .problem.ok", timeout=10000)  # type: ignore[attr-defined]
    assert "floor(base_emissions" in page.evaluate("state.editor.getText()")  # type: ignore[attr-defined]
    page.click("button[data-tab=examples]")  # type: ignore[attr-defined]
    page.click("#run-examples")  # type: ignore[attr-defined]
    total = page.wait_for_selector("#examples-total", timeout=20000)  # type: ignore[attr-defined]
    assert total.inner_text().endswith(", 0 failed")
    assert page.locator(".outcome.passed").count() >= 1  # type: ignore[attr-defined]


def test_a_slow_request_does_not_block_the_others(address: str, page: object) -> None:
    import httpx2 as httpx

    token = page.evaluate("TOKEN")  # type: ignore[attr-defined]
    headers = {"X-ETSL-Token": token}
    rules = "\n".join(f"  rule r{n} = base * {n}" for n in range(2500))
    text = "scheme slow {\n  participant p { base: tCO2e }\n" + rules + "\n}\n"
    finished: list[float] = []

    def slow() -> None:
        body = {"path": "slow.scheme", "text": text}
        httpx.post(address + "api/check", json=body, headers=headers, timeout=120)
        finished.append(time.monotonic())

    worker = threading.Thread(target=slow)
    worker.start()
    time.sleep(0.3)
    answered = httpx.post(address + "api/files", json={}, headers=headers, timeout=30)
    quick = time.monotonic()
    worker.join(120)
    assert answered.status_code == 200 and finished and quick < finished[0]
