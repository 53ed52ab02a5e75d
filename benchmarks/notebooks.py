"""Wall-clock time of each course notebook, executed headless in a fresh kernel.

The course's budget is about a minute per notebook on a 2-core CPU. Executed
copies go to a temporary directory; the committed notebooks are not touched.

    .venv/bin/python benchmarks/notebooks.py [course/05_*.ipynb ...]
"""

import sys
import tempfile
from pathlib import Path

from cnnlab import course

BUDGET_SECONDS = 60


def main(paths):
    paths = [Path(p) for p in paths] or course.notebooks()
    total = 0.0
    print(f"{'notebook':<40} {'seconds':>8}")
    with tempfile.TemporaryDirectory() as tmp:
        for path in paths:
            seconds = course.execute(path, Path(tmp) / path.name)
            total += seconds
            flag = "" if seconds <= 1.5 * BUDGET_SECONDS else "  over budget"
            print(f"{path.name:<40} {seconds:8.1f}{flag}", flush=True)
    print(f"{'total':<40} {total:8.1f}")


if __name__ == "__main__":
    main(sys.argv[1:])
