"""Spec generation time (target: register build + spec generate < 2 s together).

Run: ``.venv/bin/python benchmarks/spec_generate.py [repeats]``. In one warm
process, times ``flask register build`` work (build + write into a temporary
register directory) followed by the real ``flask spec generate`` command
(invoked in-process, comparing with a copy of the committed spec), then the
steps inside it, then the XLSForm export for comparison; prints best, median
and worst. Last, one cold ``flask spec generate`` in a fresh process
(interpreter start and imports included).
"""
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from pyxform.xls2xform import convert  # noqa: E402

from benchmarks.timing import timed  # noqa: E402
from reporting import create_app  # noqa: E402
from reporting.questionnaire.generate import generate_questionnaire  # noqa: E402
from reporting.questionnaire.indicators import load_catalogue  # noqa: E402
from reporting.questionnaire.questions import QUESTIONS_PATH, load_questions  # noqa: E402
from reporting.questionnaire.schema import SPECS_DIR, dump_spec, validate_spec  # noqa: E402
from reporting.questionnaire.versions import newest_spec, next_version, spec_files  # noqa: E402
from reporting.questionnaire.xlsform import xlsform_bytes  # noqa: E402
from reporting.register.build import build_register, load_register, register_checksum, write_register  # noqa: E402


def main() -> None:
    repeats = int(sys.argv[1]) if len(sys.argv) > 1 else 10
    with tempfile.TemporaryDirectory() as scratch:
        register_dir, out = Path(scratch) / "register", Path(scratch) / "specs"
        register_dir.mkdir()
        out.mkdir()
        for path in spec_files(SPECS_DIR, "arq")[-1:]:
            shutil.copy(path, out)
        write_register(build_register(), register_dir)
        shutil.copy(QUESTIONS_PATH, register_dir)
        app = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{scratch}/bench.sqlite3", "SECRET_KEY": "bench"})
        runner = app.test_cli_runner()

        def spec_generate() -> None:
            result = runner.invoke(args=["spec", "generate", "--out", str(out), "--register", str(register_dir)])
            assert result.exit_code == 0, result.output

        records, checksum = load_register(register_dir), register_checksum(register_dir)
        ids = {record["id"] for record in records}
        questions, catalogue = load_questions(records, register_dir / QUESTIONS_PATH.name), load_catalogue(register_ids=ids)
        spec = generate_questionnaire(records, checksum, questions, catalogue)
        workbook = xlsform_bytes(spec)
        results = {
            "REGISTER BUILD + SPEC GENERATE": timed(
                lambda: (write_register(build_register(), register_dir), spec_generate()), repeats),
            "register build + write": timed(lambda: write_register(build_register(), register_dir), repeats),
            "spec generate (the CLI command, in-process)": timed(spec_generate, repeats),
            "  load register + checksum": timed(lambda: (load_register(register_dir), register_checksum(register_dir)),
                                                repeats),
            "  load and check questions.yaml": timed(lambda: load_questions(records, QUESTIONS_PATH), repeats),
            "  load and check the indicator catalogue": timed(lambda: load_catalogue(register_ids=ids), repeats),
            "  generate_questionnaire": timed(lambda: generate_questionnaire(records, checksum, questions, catalogue),
                                              repeats),
            "  load previous spec + next version (diff)": timed(lambda: next_version(newest_spec(out, "arq"), spec),
                                                                repeats),
            "  validate new spec (+ register references)":
                timed(lambda: validate_spec(spec, {record["id"] for record in records}), repeats),
            "  dump YAML": timed(lambda: dump_spec(spec), repeats),
            "xlsform export (workbook)": timed(lambda: xlsform_bytes(spec), repeats),
            "xlsform check (pyxform convert)": timed(lambda: convert(workbook, file_type=".xlsx"), max(1, repeats // 3)),
        }
        items = sum(len(section["items"]) for pillar in spec["pillars"] for section in pillar["sections"])
        print(f"{len(records)} commitments -> {items} items; {repeats} repeats in one warm process:")
        for name, times in results.items():
            print(f"  {name:54} best {min(times) * 1000:6.0f} ms  median {statistics.median(times) * 1000:6.0f} ms"
                  f"  worst {max(times) * 1000:6.0f} ms")
        start = time.perf_counter()
        subprocess.run([str(Path(sys.executable).with_name("flask")), "spec", "generate", "--out", str(out),
                        "--register", str(register_dir)], cwd=ROOT, check=True, capture_output=True)
        print(f"  cold `flask spec generate` (new process, imports included): "
              f"{(time.perf_counter() - start) * 1000:.0f} ms")


if __name__ == "__main__":
    main()
