"""The workbench's API (`etsl serve`), through Starlette's test client: what it answers,
what it refuses, and that it writes only where the user saves."""

from __future__ import annotations

import hashlib
import json
import shutil
from pathlib import Path

import pytest

pytest.importorskip("starlette", reason="the 'serve' extra is not installed")

from starlette.testclient import TestClient  # noqa: E402

from etsl.serve.app import MAX_BODY, make_app  # noqa: E402
from etsl.serve.store import MAX_UPLOAD  # noqa: E402

REPO = Path(__file__).resolve().parent.parent
TOKYO = REPO / "schemes" / "japan" / "tokyo_cat.scheme"
FACILITIES = REPO / "examples" / "tokyo_facilities.csv"
TOKEN = "test-token"


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    (tmp_path / "schemes").mkdir()
    shutil.copy(TOKYO, tmp_path / "schemes" / "tokyo_cat.scheme")
    shutil.copy(REPO / "schemes" / "japan" / "saitama_tset.scheme", tmp_path / "schemes")
    shutil.copy(FACILITIES, tmp_path / "facilities.csv")
    return tmp_path


@pytest.fixture
def client(folder: Path) -> TestClient:
    return TestClient(make_app(folder, token=TOKEN), base_url="http://127.0.0.1")


def post(client: TestClient, name: str, body: object) -> tuple[int, dict]:  # type: ignore[type-arg]
    response = client.post(f"/api/{name}", json=body, headers={"X-ETSL-Token": TOKEN})
    return response.status_code, response.json()


def tokyo(**extra: object) -> dict[str, object]:
    return {"path": "schemes/tokyo_cat.scheme", "text": TOKYO.read_text(), **extra}


def _tree(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in folder.rglob("*") if p.is_file()}


def test_the_page_carries_the_token_and_the_editor_bundle(client: TestClient) -> None:
    page = client.get("/").text
    assert f'content="{TOKEN}"' in page and "/static/editor.js" in page
    assert client.get("/static/editor.js").status_code == 200


def test_requests_without_the_token_or_from_another_host_are_refused(client: TestClient) -> None:
    assert client.post("/api/files", json={}).status_code == 403
    foreign = TestClient(make_app(None, token=TOKEN), base_url="http://evil.example")
    assert foreign.post("/api/files", json={}, headers={"X-ETSL-Token": TOKEN}).status_code == 400


def test_files_lists_the_folder_and_its_data(client: TestClient) -> None:
    status, found = post(client, "files", {})
    assert status == 200 and found["writable"]
    assert [s["path"] for s in found["schemes"]] == [
        "schemes/saitama_tset.scheme",
        "schemes/tokyo_cat.scheme",
    ]
    assert "facilities.csv" in found["samples"]


def test_check_hover_complete_and_fixes_use_the_language_server(client: TestClient) -> None:
    broken = tokyo(text=TOKYO.read_text().replace("floor(base_emissions", "floor(bse_emissions"))
    status, found = post(client, "check", broken)
    assert status == 200
    assert [d["code"] for d in found["diagnostics"]] == ["unknown-name"]
    status, fixes = post(client, "fixes", {**broken, "diagnostics": found["diagnostics"]})
    assert fixes[0]["title"] == "Change 'bse_emissions' to 'base_emissions'"
    text = TOKYO.read_text()
    line = text[: text.index("cap = floor")].count("\n")
    status, hover = post(client, "hover", tokyo(line=line, character=3))
    assert "Each facility's cap for a period" in hover["contents"]["value"]
    status, completion = post(client, "complete", tokyo(line=line, character=14))
    assert "base_emissions" in {i["label"] for i in completion["items"]}


def test_page_examples_run_explain_sweep_compare_and_link(client: TestClient) -> None:
    status, page = post(client, "page", tokyo())
    assert status == 200 and "Tokyo Cap-and-Trade Program" in page["html"]
    status, examples = post(client, "examples", tokyo())
    assert examples["failed"] == 0 and examples["passed"] >= 1
    status, run = post(client, "run", tokyo(data="facilities.csv"))
    assert (
        status == 200 and run["total_rows"] == 300 and run["rows"][0]["participant"] == "TKY-0001"
    )
    status, explained = post(
        client, "explain", tokyo(data="facilities.csv", participant="TKY-0001")
    )
    assert "cap = floor(" in explained["text"]
    vary = ["coverage_threshold=1000 kL_oe/yr,2000 kL_oe/yr"]
    status, swept = post(client, "sweep", tokyo(data="facilities.csv", vary=vary))
    assert status == 200 and swept["svg"].startswith("<svg") and len(swept["rows"]) == 2
    other = "schemes/saitama_tset.scheme"
    status, compared = post(client, "compare", tokyo(other=other))
    assert "Saitama" in compared["html"]
    assert 'id="fig-timeline"' in compared["html"]  # the charts, with the link's start
    assert "Tokyo–Saitama Prefecture 2010" in compared["html"]
    status, linked = post(client, "link", tokyo(other=other))
    assert status == 200 and "tokyo_cat ↔ saitama_tset" in linked["text"]


def test_save_writes_atomically_inside_the_folder_only(client: TestClient, folder: Path) -> None:
    status, saved = post(client, "save", tokyo(text="# edited\n" + TOKYO.read_text()))
    assert status == 200
    assert (folder / "schemes" / "tokyo_cat.scheme").read_text().startswith("# edited\n")
    before = _tree(folder)
    for path in ("../outside.scheme", "/tmp/x.scheme", "facilities.csv", "schemes/../../x.scheme"):
        status, refused = post(client, "save", {"path": path, "text": "scheme x {}"})
        assert status == 400 and "error" in refused, path
    assert _tree(folder) == before
    assert not (folder.parent / "outside.scheme").exists()


def test_the_library_is_read_only() -> None:
    library = TestClient(make_app(None, token=TOKEN), base_url="http://127.0.0.1")
    status, refused = post(library, "save", {"path": "japan/tokyo_cat.scheme", "text": "x"})
    assert status == 400 and "read-only" in refused["error"]


def test_a_file_outside_the_folder_is_refused(client: TestClient) -> None:
    for path in ("../../../etc/passwd", "/etc/passwd", "schemes/../../x.scheme"):
        status, refused = post(client, "open", {"path": path})
        assert status == 400 and "outside the opened folder" in refused["error"]


def test_a_scheme_that_does_not_compile_answers_with_its_diagnostics(client: TestClient) -> None:
    status, refused = post(client, "page", tokyo(text="scheme x { rule a = b }"))
    assert status == 422 and "does not compile" in refused["error"]
    assert refused["diagnostics"][0]["code"] == "unknown-name"


def test_binary_and_huge_texts_are_answered_with_diagnostics_or_refused(client: TestClient) -> None:
    status, found = post(client, "check", tokyo(text="scheme x {\x00\x01}"))
    assert status == 200 and [d["code"] for d in found["diagnostics"]] == ["file-unreadable"]
    status, found = post(client, "check", tokyo(text="# " + "x" * 2_500_000))
    assert status == 200 and [d["code"] for d in found["diagnostics"]] == ["file-too-large"]
    huge = json.dumps(tokyo(text="x" * (MAX_BODY + 10)))
    response = client.post("/api/check", content=huge, headers={"X-ETSL-Token": TOKEN})
    assert response.status_code == 400 and "larger than" in response.json()["error"]
    status, found = post(client, "files", {})  # and the server still answers
    assert status == 200


def test_uploads_are_size_limited_and_kept_only_as_data(client: TestClient, folder: Path) -> None:
    before = _tree(folder)
    headers = {"X-ETSL-Token": TOKEN}
    script = client.post("/api/upload", files={"file": ("run.py", b"print(1)")}, headers=headers)
    assert script.status_code == 400 and "upload .csv" in script.json()["error"]
    big = b"x" * (MAX_UPLOAD + 1)
    response = client.post("/api/upload", files={"file": ("big.csv", big)}, headers=headers)
    assert response.status_code in (400, 413) and "larger than" in response.json()["error"]
    good = client.post(
        "/api/upload", files={"file": ("f.csv", FACILITIES.read_bytes())}, headers=headers
    )
    assert good.status_code == 200
    status, run = post(client, "run", tokyo(data=good.json()["data"]))
    assert status == 200 and run["total_rows"] == 300
    status, refused = post(client, "run", tokyo(data="upload:../../etc/passwd"))
    assert status == 400
    binary = client.post("/api/upload", files={"file": ("b.csv", b"\x00\xff\x00")}, headers=headers)
    status, refused = post(client, "run", tokyo(data=binary.json()["data"]))
    assert status == 400 and "could not be read" in refused["error"]
    assert _tree(folder) == before


def _bundle_hash() -> str:
    source = REPO / "editors" / "workbench"
    names = ["build.mjs", "package.json", "package-lock.json"]
    names += [f"src/{p.name}" for p in sorted((source / "src").iterdir())]
    digest = hashlib.sha256()
    for name in names:
        digest.update(name.encode() + b"\0")
        digest.update((source / name).read_bytes())
    return digest.hexdigest()


def test_the_committed_editor_bundle_is_built_from_the_current_sources() -> None:
    bundle = (REPO / "etsl" / "serve" / "static" / "editor.js").read_text(encoding="utf-8")
    first = bundle.split("\n", 1)[0]
    assert f"inputs sha256:{_bundle_hash()}" in first, "rebuild it: make workbench-editor"
