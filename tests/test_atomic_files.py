"""Writes are atomic: one hidden temporary per file, cleaned after a kill; sites in one rename."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from click.testing import CliRunner
from etsl.compiler.files import (
    SITE_MARKER,
    FolderInUse,
    atomic_path,
    publish_folder,
    remove_stale_temporaries,
)

from etsl.cli import cli

ROOT = Path(__file__).resolve().parent.parent
BENCH = ROOT / "bench" / "tokyo_bench.scheme"


def dead_pid() -> int:
    done = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"],
                          capture_output=True, text=True, check=True)
    return int(done.stdout)


def visible(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if not p.name.startswith("."))


def test_one_hidden_temporary_while_writing(tmp_path: Path) -> None:
    target = tmp_path / "out.csv"
    with atomic_path(target) as temporary:
        assert temporary.name.startswith(f".out.csv.{os.getpid()}.")
        assert visible(tmp_path) == []
        temporary.write_text("partial")
    assert visible(tmp_path) == ["out.csv"] and os.listdir(tmp_path) == ["out.csv"]


def test_stale_temporaries_of_dead_processes_are_removed(tmp_path: Path) -> None:
    pid = dead_pid()
    stale = tmp_path / f".out.csv.{pid}.abc123.tmp"
    stale.write_text("left by a killed run")
    live = tmp_path / f".out.csv.{os.getpid()}.def456.tmp"
    live.write_text("being written")
    other = tmp_path / f".out.csv.5.{pid}.x.tmp"  # the temporary of a target 'out.csv.5'
    other.write_text("not ours")
    with atomic_path(tmp_path / "out.csv") as temporary:
        temporary.write_text("new")
    assert not stale.exists() and live.exists() and other.exists()
    assert (tmp_path / "out.csv").read_text() == "new"


@pytest.mark.parametrize("engine", ["reference", "columnar"])
def test_a_run_killed_while_writing_leaves_no_visible_file(tmp_path: Path, engine: str) -> None:
    """SIGKILL during `etsl run -o`: no results file, no visible leftover; the next run
    cleans the hidden temporary up."""
    rows = "".join(f"F{i},office,{1000 + i},{4000 + i},\n" for i in range(60_000))
    data = tmp_path / "facilities.csv"
    data.write_text("id,category,base_emissions,emissions,outside_credits\n" + rows)
    out = tmp_path / "out" / "results.csv"
    command = [sys.executable, "-m", "etsl", "run", str(BENCH), "--participants", str(data),
               "--map", "outside_credits=held.outside_credits", "-o", str(out),
               "--engine", engine]
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and process.poll() is None:
        if out.parent.exists() and any(out.parent.glob(".results.csv.*.tmp")):
            break
        time.sleep(0.01)
    if process.poll() is None:
        process.send_signal(signal.SIGKILL)
    process.wait()
    if out.exists():
        pytest.skip("the run finished before it could be killed")
    assert visible(out.parent) == []
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr
    assert os.listdir(out.parent) == ["results.csv"]


def test_sites_are_replaced_whole(tmp_path: Path) -> None:
    site = tmp_path / "site"
    publish_folder({"index.html": "one", "old.html": "old", "figures/a.svg": "<svg/>"}, site)
    publish_folder({"index.html": "two"}, site)
    assert sorted(p.name for p in site.rglob("*")) == [SITE_MARKER, "index.html"]
    assert (site / "index.html").read_text() == "two"
    assert os.listdir(tmp_path) == ["site"]


def test_a_failed_site_write_leaves_the_old_site(tmp_path: Path) -> None:
    site = tmp_path / "site"
    publish_folder({"index.html": "one"}, site)
    with pytest.raises(TypeError):
        publish_folder({"index.html": "two", "bad.html": 3}, site)  # type: ignore[dict-item]
    assert (site / "index.html").read_text() == "one"
    assert os.listdir(tmp_path) == ["site"]


def test_a_folder_etsl_did_not_write_is_not_replaced(tmp_path: Path) -> None:
    (tmp_path / "notes.txt").write_text("mine")
    with pytest.raises(FolderInUse):
        publish_folder({"index.html": "x"}, tmp_path)
    assert (tmp_path / "notes.txt").read_text() == "mine"
    result = CliRunner().invoke(cli, ["docs", str(ROOT / "tests" / "cases" / "docs" /
                                                  "tokyo.scheme"), "-o", str(tmp_path)])
    assert result.exit_code == 1 and "etsl did not write" in result.stderr


def test_stale_site_staging_folders_are_removed(tmp_path: Path) -> None:
    stale = tmp_path / f".site.{dead_pid()}.xyz.tmp"
    (stale / "figures").mkdir(parents=True)
    (stale / "index.html").write_text("half a site")
    publish_folder({"index.html": "whole"}, tmp_path / "site")
    assert os.listdir(tmp_path) == ["site"]
    assert remove_stale_temporaries(tmp_path / "site") == []
