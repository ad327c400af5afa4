"""Build, write, read: determinism, the committed register, stable ids."""
import json

from reporting.register.build import (REGISTER_DIR, build_register, load_register, register_checksum,
                                      render_register, write_register)
from reporting.register.model import DOCUMENTS


def test_committed_register_equals_a_fresh_build():
    for name, text in render_register(build_register()).items():
        assert (REGISTER_DIR / name).read_text(encoding="utf-8") == text, f"{name} is stale: run flask register build"


def test_build_is_deterministic():
    assert render_register(build_register()) == render_register(build_register())


def test_ids_are_unique(records):
    ids = [record["id"] for record in build_register()]
    assert len(ids) == len(set(ids)) == len(records)


def test_records_are_in_document_order(records):
    order = list(DOCUMENTS)
    documents = [record["document"] for record in records.values()]
    assert documents == sorted(documents, key=order.index)


def test_load_register_reads_what_the_build_gives():
    assert load_register() == json.loads(json.dumps(build_register()))


def test_write_register_round_trip_and_checksum(tmp_path):
    records = build_register()
    written = write_register(records, tmp_path)
    assert sorted(path.name for path in written) == sorted(f"{key}.yaml" for key in DOCUMENTS)
    assert not list(tmp_path.glob(".*.tmp"))
    assert load_register(tmp_path) == records
    assert register_checksum(tmp_path) == register_checksum(REGISTER_DIR)
    (tmp_path / "pd2009.yaml").write_text("changed", encoding="utf-8")
    assert register_checksum(tmp_path) != register_checksum(REGISTER_DIR)


def test_ids_do_not_change_when_a_commitment_is_added_or_reworded(inputs, records):
    def reword(lines):
        number = next(i for i, line in enumerate(lines) if line.startswith("14.\t"))
        lines[number] = lines[number].replace("raise public awareness", "raise public awareness and knowledge")
        return lines

    def add_paragraph(lines):
        number = next(i for i, line in enumerate(lines) if line.startswith("23.\t"))
        return lines[:number + 1] + ["24.\t<b>Decide</b> to keep ids stable;"] + lines[number + 1:]

    inputs.edit_source("commitments-compilation-2023.txt", reword)
    inputs.edit_source("commitments-compilation-2023.txt", add_paragraph)
    inputs.edit_register_file("titles.yaml", "pd2009.28:", "pd2009.24: Keep ids stable\npd2009.28:")
    rebuilt = {record["id"]: record for record in build_register(inputs.sources, inputs.register)}
    assert set(rebuilt) == set(records) | {"pd2009.24"}
    changed = [key for key in records if rebuilt[key] != records[key]]
    assert changed == ["pd2009.14"]
    assert rebuilt["pd2009.14"]["text"].startswith("Decide to continue to raise public awareness and knowledge")
