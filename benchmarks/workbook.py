"""Offline workbook on the whole questionnaire (the newest spec, every section
France is asked): download time and size, and the time to read, validate and
preview an upload that answers every status question. Prints figures; run
from the repository root:

    .venv/bin/python benchmarks/workbook.py [--repeat 3]
"""
import argparse
from datetime import date
import io
from pathlib import Path
import re
import statistics
import sys
import tempfile

import openpyxl

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.timing import timed  # noqa: E402
from reporting import create_app  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as scratch:
        app = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{scratch}/bench.sqlite3", "SECRET_KEY": "bench",
                          "WTF_CSRF_ENABLED": False, "LOGIN_RATE_LIMIT": "1000 per second", "DOCUMENTS_DIR": f"{scratch}/documents"})
        with app.app_context():
            run(app, args.repeat)


def run(app, repeat: int) -> None:
    from flask_migrate import upgrade

    from reporting.accounts.services import create_user
    from reporting.countries.services import load_countries
    from reporting.database import write_transaction
    from reporting.questionnaire.schema import SPECS_DIR
    from reporting.questionnaire.versions import activate_spec, newest_spec
    from reporting.responses.cycles import open_cycle

    upgrade()
    spec = newest_spec(SPECS_DIR, "arq")
    activate_spec(spec)
    with write_transaction():
        load_countries()
        open_cycle("BENCH", spec["version"], date(2030, 1, 1))
        create_user("focal@bench.example.org", "benchmark password", "focal_point", "FRA")
    client = app.test_client()
    client.post("/login", data={"email": "focal@bench.example.org", "password": "benchmark password"})
    url = "/cycles/BENCH/FRA/workbook.xlsx"
    data = client.get(url).data
    download = timed(lambda: client.get(url), repeat)

    workbook = openpyxl.load_workbook(io.BytesIO(data))
    implemented = "Implemented"  # the drop-down label (the account's language is English)
    answered = 0
    for sheet in workbook.worksheets:
        if sheet.sheet_state != "visible":
            continue
        for row in range(1, sheet.max_row + 1):
            key = sheet.cell(row, 1).value
            if key and key.endswith(".status"):
                sheet.cell(row, 5).value = implemented
                answered += 1
    buffer = io.BytesIO()
    workbook.save(buffer)
    filled = buffer.getvalue()

    def preview():
        response = client.post("/cycles/BENCH/FRA/workbook", data={"workbook": (io.BytesIO(filled), "filled.xlsx")},
                               content_type="multipart/form-data")
        assert response.status_code == 200, response.get_data(as_text=True)[-2000:]
        return response

    page = preview().get_data(as_text=True)
    previews = timed(preview, repeat)
    sheets = len([s for s in workbook.worksheets if s.sheet_state == "visible"]) - 1
    print(f"spec {spec['version']}: {sheets} section sheets, {answered} status questions filled")
    print(f"download: {len(data) / 1024:.0f} KiB, median {statistics.median(download) * 1000:.0f} ms over {repeat}")
    print(f"filled workbook: {len(filled) / 1024:.0f} KiB; upload → checked, validated, previewed: median "
          f"{statistics.median(previews) * 1000:.0f} ms over {repeat}; {len(re.findall('<ins>', page))} changes shown")


if __name__ == "__main__":
    main()
