"""Register build time from the sources (target: well under 2 s).

Run: ``.venv/bin/python benchmarks/register_build.py [repeats]``. Times, in one
warm process, the pure build (checksums, parsing, classification, overrides,
titles), the YAML rendering, and the whole ``flask register build`` work
(build + write into a temporary directory); prints best, median and worst.
"""
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.timing import timed  # noqa: E402
from reporting.register.build import build_register, render_register, write_register  # noqa: E402


def main() -> None:
    repeats = int(sys.argv[1]) if len(sys.argv) > 1 else 20
    start = time.perf_counter()
    records = build_register()
    first = time.perf_counter() - start
    with tempfile.TemporaryDirectory() as directory:
        results = {
            "build_register (parse + classify + curate)": timed(build_register, repeats),
            "render_register (YAML, 7 files)": timed(lambda: render_register(records), repeats),
            "build + write (what `flask register build` does)":
                timed(lambda: write_register(build_register(), Path(directory)), repeats),
        }
    print(f"{len(records)} records; first build in a fresh process {first * 1000:.0f} ms; {repeats} repeats:")
    for name, times in results.items():
        print(f"  {name:50} best {min(times) * 1000:6.0f} ms  median {statistics.median(times) * 1000:6.0f} ms"
              f"  worst {max(times) * 1000:6.0f} ms")


if __name__ == "__main__":
    main()
