"""Run every benchmark: ``python -m bench`` (or ``make bench``). Each ``bench/*_bench.py`` prints its figures."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path


def main() -> int:
    here = Path(__file__).parent
    scripts = sorted(here.glob("*_bench.py"))
    only = sys.argv[1:]
    failed = 0
    for script in scripts:
        if only and not any(o in script.stem for o in only):
            continue
        print(f"\n=== {script.stem}", flush=True)
        rc = subprocess.call([sys.executable, str(script)], cwd=here.parent)
        failed += rc != 0
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
