"""`make demo`: check the library, run Tokyo on the sample facilities, simulate the linked
California-Québec market, build the documents.

python -m etsl.demo --out out
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

import click

from etsl.cli import cli

REPO = Path(__file__).resolve().parent.parent
SITE_STEP = "Documentation site in English and Japanese: schemes, comparisons and linkage"


def _step(title: str, args: Sequence[str]) -> int:
    click.secho(f"\n== {title}", bold=True)
    click.echo("$ etsl " + " ".join(args))
    try:
        cli.main(list(args), prog_name="etsl", standalone_mode=False)
    except SystemExit as exit_:
        return int(exit_.code or 0)
    except click.ClickException as exc:
        exc.show()
        return exc.exit_code
    return 0


#: Japan's emissions trading systems in force, compared with the world's (as ICAP's map
#: shows them): the other Japanese schemes are designs, crediting or voluntary plans.
JAPANESE_SYSTEMS = ("tokyo_cat", "saitama_tset", "gx_ets")


def world_systems() -> list[Path]:
    schemes = REPO / "schemes"
    return [schemes / "world", *(schemes / "japan" / f"{n}.scheme" for n in JAPANESE_SYSTEMS)]


def steps(out: Path) -> list[tuple[str, list[str]]]:
    schemes = REPO / "schemes"
    tokyo = str(schemes / "japan" / "tokyo_cat.scheme")
    facilities = str(REPO / "examples" / "tokyo_facilities.csv")
    return [
        ("Check the scheme library", ["check", str(schemes)]),
        ("Run the library's embedded examples", ["test", str(schemes)]),
        (
            "Run the Tokyo programme over the sample facilities",
            ["run", tokyo, "--participants", facilities, "-o", str(out / "tokyo_results.csv")],
        ),
        (
            "Explain one facility's shortfall",
            [
                "explain",
                tokyo,
                "--participants",
                facilities,
                "--id",
                "TKY-0001",
                "--rule",
                "shortfall",
            ],
        ),
        (
            "Simulate the linked California-Québec market (bank, prices, flows)",
            [
                "simulate",
                str(schemes / "world" / "california.scheme"),
                str(schemes / "world" / "quebec.scheme"),
                "--scenario",
                str(REPO / "examples" / "scenarios" / "wci_2021_2023.toml"),
                "-o",
                str(out / "simulation"),
            ],
        ),
        (
            SITE_STEP,
            [
                "docs",
                str(schemes),
                "-o",
                str(out / "site"),
                "--compare",
                f"Japanese schemes={schemes / 'japan'},{schemes / 'kyoto'}",
                "--compare",
                "World emissions trading systems=" + ",".join(map(str, world_systems())),
                "--linkage",
                "--lang",
                "en",
                "--lang",
                "ja",
            ],
        ),
    ]


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--out", type=Path, default=REPO / "out")
    args = parser.parse_args(argv)
    out = args.out.resolve()
    out.mkdir(parents=True, exist_ok=True)
    failures = [title for title, step in steps(out) if _step(title, step) not in (0, None)]
    click.secho("\nDemo output:", bold=True)
    click.echo(f"  results:  {out / 'tokyo_results.csv'}")
    click.echo(f"  docs:     {out / 'site' / 'index.html'}")
    click.echo(f"  日本語:   {out / 'site' / 'ja' / 'index.html'}")
    if failures:
        click.secho(
            f"\n{len(failures)} step(s) reported problems: " + "; ".join(failures), fg="red"
        )
        sys.exit(1)


if __name__ == "__main__":
    main()
