"""`make bench`: every benchmark, side by side, printed as Markdown tables."""

from __future__ import annotations

import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))


def main() -> None:
    from bench import compile_bench

    print("## Compiler\n")
    compile_bench.main()
    try:
        from bench import lsp_bench
    except ImportError as exc:
        print(f"\n(language server benchmark unavailable: {exc})")
    else:
        print("\n## Language server\n")
        lsp_bench.main()
    try:
        from bench import columnar_bench
    except ImportError as exc:
        print(f"\n(columnar benchmark unavailable: {exc})")
        return
    print("\n## Engines\n")
    columnar_bench.main()
    from bench import chain_bench

    print("\n## A 3-period chain (carried over), columnar against reference\n")
    chain_bench.main()
    from bench import sweep_bench

    print("\n## A sweep: 1,000 scenarios, whole process against a numpy float64 loop\n")
    sweep_bench.main()


if __name__ == "__main__":
    main()
