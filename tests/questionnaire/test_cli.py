"""``flask spec generate`` and ``flask spec validate``: versions picked from the newest spec, clear errors, no partial files."""
import copy

import yaml

from reporting.questionnaire.schema import load_spec

from tests.questionnaire.conftest import write_spec


def generate(runner, out, registry):
    return runner.invoke(args=["spec", "generate", "--out", str(out), "--register", str(registry)])


def test_generate_picks_the_next_version(runner, register_dir, small_register, tmp_path):
    out = tmp_path / "specs"
    result = generate(runner, out, register_dir(small_register, "r1"))
    assert result.exit_code == 0, result.output
    first = out / "arq-1.0.0.yaml"
    assert result.output.startswith(f"Wrote {first}: arq 1.0.0: sections demand_reduction 4, supply_reduction 2, "
                                    "international_cooperation 2; ")
    assert "1 context commitments (first version)." in result.output
    text = first.read_bytes()

    result = generate(runner, out, register_dir(small_register, "r2"))  # same records: same version, same bytes
    assert result.exit_code == 0 and "(previous 1.0.0)" in result.output
    assert sorted(path.name for path in out.iterdir()) == ["arq-1.0.0.yaml"] and first.read_bytes() == text

    reworded = copy.deepcopy(small_register)
    reworded[0]["title"] = "Deliver prevention programmes in schools"
    assert generate(runner, out, register_dir(reworded, "r3")).exit_code == 0
    added = reworded + [dict(reworded[1], id="poa2009.I.4.i", label="(i)", title="A new one")]
    assert generate(runner, out, register_dir(added, "r4")).exit_code == 0
    assert generate(runner, out, register_dir(added[1:], "r5")).exit_code == 0
    assert sorted(path.name for path in out.iterdir()) == [
        "arq-1.0.0.yaml", "arq-1.0.1.yaml", "arq-1.1.0.yaml", "arq-2.0.0.yaml"]
    assert load_spec(out / "arq-2.0.0.yaml")["version"] == "2.0.0"


def test_generate_to_a_file(runner, register_dir, small_register, tmp_path):
    out = tmp_path / "specs" / "draft.yaml"
    result = generate(runner, out, register_dir(small_register))
    assert result.exit_code == 0, result.output
    assert load_spec(out)["version"] == "1.0.0"


def test_generate_refuses_what_it_cannot_place_and_writes_nothing(runner, register_dir, small_register, tmp_path):
    small_register[2]["scope"] = ["oceania"]
    out = tmp_path / "specs"
    result = generate(runner, out, register_dir(small_register))
    assert result.exit_code != 0
    assert "Error: commitment jms2014-priorities.11: no regional module for scope ['oceania']" in result.output
    assert not out.exists()


def test_generate_needs_a_register(runner, tmp_path):
    (tmp_path / "empty").mkdir()
    result = generate(runner, tmp_path / "specs", tmp_path / "empty")
    assert result.exit_code != 0 and "register: " in result.output and "run `flask register build`" in result.output


def test_generate_refuses_to_compare_with_a_broken_previous_spec(runner, register_dir, small_register, tmp_path):
    out = tmp_path / "specs"
    out.mkdir()
    (out / "arq-1.0.0.yaml").write_text("spec_id: arq\nversion: 1.0.0\n", encoding="utf-8")
    result = generate(runner, out, register_dir(small_register))
    assert result.exit_code != 0 and "cannot compare with the previous version" in result.output
    assert sorted(path.name for path in out.iterdir()) == ["arq-1.0.0.yaml"]


def test_validate(runner, register_dir, small_register, tmp_path, valid_spec):
    registry = register_dir(small_register)
    path = write_spec(tmp_path / "arq.yaml", valid_spec)
    result = runner.invoke(args=["spec", "validate", str(path), "--register", str(registry)])
    assert result.exit_code == 0, result.output
    assert f"{path}: valid — arq 1.0.0: sections demand_reduction 1, international_cooperation 1; 7 items" in result.output
    assert "generated from another state of the register" in result.output


def test_validate_lists_every_problem(runner, register_dir, small_register, tmp_path, valid_spec):
    registry = register_dir([r for r in small_register if r["id"] != "sofia2018.8"])
    items = valid_spec["pillars"][0]["sections"][0]["items"]
    items[2]["key"] = items[1]["key"]
    path = write_spec(tmp_path / "arq.yaml", valid_spec)
    result = runner.invoke(args=["spec", "validate", str(path), "--register", str(registry)])
    assert result.exit_code != 0
    assert f"Error: {path}: 2 problem(s):" in result.output
    assert "  - item poa2009.I.4.f.measures: duplicate key" in result.output
    assert "  - item sofia2018.8.status: commitment sofia2018.8 is not in the register" in result.output


def test_validate_a_file_that_is_not_a_spec(runner, register_dir, small_register, tmp_path):
    registry = register_dir(small_register)
    path = tmp_path / "notes.yaml"
    path.write_text(yaml.safe_dump(["a", "b"]), encoding="utf-8")
    for target in (path, tmp_path / "missing.yaml"):
        result = runner.invoke(args=["spec", "validate", str(target), "--register", str(registry)])
        assert result.exit_code != 0 and str(target) in result.output and "Traceback" not in result.output


def test_a_register_change_end_to_end(runner, register_dir, real_register, tmp_path):
    """A fixture copy of the register loses, rewords and gains a commitment: generate, diff, see what carries."""
    asked = [c for c in real_register if "member_states" in c["addressees"] and c["scope"] == ["global"]]
    removed, reworded = asked[0]["id"], asked[-1]["id"]
    changed = copy.deepcopy([c for c in real_register if c["id"] != removed])
    target = next(c for c in changed if c["id"] == reworded)
    target["text"] = target["text"].replace(" ", "  ", 1).rstrip(";.") + ", as appropriate;"
    changed.append(dict(copy.deepcopy(asked[1]), id="ungass2016.1.zz", label="(zz)", title="A new commitment"))
    out = tmp_path / "specs"
    assert generate(runner, out, register_dir(real_register, "before")).exit_code == 0
    result = generate(runner, out, register_dir(changed, "after"))
    assert result.exit_code == 0, result.output
    assert "(previous 1.0.0)" in result.output and (out / "arq-2.0.0.yaml").exists()

    result = runner.invoke(args=["spec", "diff", str(out / "arq-1.0.0.yaml"), str(out / "arq-2.0.0.yaml")])
    assert result.exit_code == 0, result.output
    assert "3 added, 3 removed, 3 reworded, 0 changed, 0 adjusted." in result.output
    assert f"- removed  {removed}.status [status] — answer will not carry" in result.output
    assert f"~ reworded {reworded}.measures [text] (text of {reworded}) — answer carries" in result.output
    assert "+ added    ungass2016.1.zz.status [status] — new question" in result.output
    changelog = (out / "changelog" / "arq-1.0.0-to-2.0.0.md").read_text(encoding="utf-8")
    assert f"| removed | `{removed}.status` |" in changelog
