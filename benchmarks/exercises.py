"""How long `cnnlab exercises` takes for 100 JSON problems, and generation alone.

The command never imports TensorFlow, so it starts in a fraction of a second;
tests/test_exercises.py checks the import graph, this script the time.
"""

import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from cnnlab import exercises

RUNS = 7


def _cli_seconds(out):
    command = [sys.executable, "-m", "cnnlab", "exercises", "--topic", "all", "--count", "100",
               "--seed", "0", "--format", "json", "--out", str(out)]
    start = time.perf_counter()
    subprocess.run(command, check=True, capture_output=True)
    return time.perf_counter() - start


def _interpreter_seconds():
    start = time.perf_counter()
    subprocess.run([sys.executable, "-c", "pass"], check=True)
    return time.perf_counter() - start


def _in_process_seconds(count, format):
    start = time.perf_counter()
    exercises.render(exercises.generate("all", count=count, seed=0), format)
    return time.perf_counter() - start


def main():
    with tempfile.TemporaryDirectory() as directory:
        out = Path(directory) / "set.json"
        cli = [_cli_seconds(out) for _ in range(RUNS)]
    bare = [_interpreter_seconds() for _ in range(RUNS)]
    print(f"cnnlab exercises, 100 problems, JSON (new process): median {statistics.median(cli):.3f} s, "
          f"min {min(cli):.3f} s over {RUNS} runs")
    print(f"  of which a bare `python -c pass`: median {statistics.median(bare):.3f} s")
    for count, format in ((100, "json"), (1000, "json"), (100, "ipynb")):
        seconds = min(_in_process_seconds(count, format) for _ in range(3))
        print(f"generate + render in process, {count} problems, {format}: {seconds * 1000:.1f} ms")


if __name__ == "__main__":
    main()
