"""The register as JSON, JSON Lines or CSV, for people and tools outside the app."""
import csv
import io
import json

from reporting.register.model import FIELDS, Record

FORMATS = ("json", "jsonl", "csv")
LIST_SEPARATOR = " | "  # joins list cells in CSV; no heading, verb or key contains it


def export(records: list[Record], format: str) -> str:
    if format == "json":
        return json.dumps(records, ensure_ascii=False, indent=2) + "\n"
    if format == "jsonl":
        return "".join(json.dumps(record, ensure_ascii=False) + "\n" for record in records)
    if format == "csv":
        return _csv(records)
    raise ValueError(f"unknown export format {format!r} (expected {', '.join(FORMATS)})")


def _csv(records: list[Record]) -> str:
    columns = [name for name in FIELDS if name != "target"]
    columns[columns.index("verbs") + 1:columns.index("verbs") + 1] = ["target_text", "target_year"]
    stream = io.StringIO()
    writer = csv.writer(stream, lineterminator="\n")
    writer.writerow(columns)
    for record in records:
        target = record["target"] or {}
        row = {**record, "target_text": target.get("text", ""), "target_year": target.get("year") or ""}
        writer.writerow([LIST_SEPARATOR.join(map(str, row[name])) if isinstance(row[name], list) else row[name]
                         for name in columns])
    return stream.getvalue()
