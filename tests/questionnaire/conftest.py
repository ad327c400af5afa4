"""Fixtures of the questionnaire tests: a small hand-made register, copies of the real one, inline specs."""
import copy
from pathlib import Path

import pytest
import yaml

from reporting.register.build import load_register, write_register

CHECKSUM = "0" * 64


def record(id_, pillar, chapter, title, *, path=(), scope=("global",), addressees=("member_states",), target=None):
    document = id_.split(".")[0]
    return {"id": id_, "document": document, "path": list(path), "label": id_.rsplit(".", 1)[1],
            "text": f"Full text of {id_}: {title.lower()}.", "verbs": [], "target": target,
            "addressees": list(addressees), "pillar": pillar, "chapter": chapter, "scope": list(scope),
            "title": title}


SMALL_REGISTER = [
    record("poa2009.I.4.f", "demand_reduction", 1, "Deliver evidence-based prevention programmes",
           path=["2. Comprehensive approach to drug demand reduction", "Action 4. Member States should:"]),
    record("poa2009.I.4.h", "demand_reduction", 1, "Consider a comprehensive drug treatment system",
           path=["2. Comprehensive approach to drug demand reduction", "Action 4. Member States should:"]),
    record("jms2014-priorities.11", "demand_reduction", 1, "Halve HIV transmission among people who inject drugs",
           target={"text": "by 50 per cent by 2015", "year": 2015}),
    record("ungass2016.1.r", "demand_reduction", 1, "UNODC and INCB to strengthen cooperation with WHO",
           addressees=("unodc", "incb")),
    record("poa2009.II.41.b", "supply_reduction", 5, "Strengthen precursor control laws and criminalize diversion"),
    record("poa2009.III.51.a", "international_cooperation", 3, "Criminalize money-laundering and enable confiscation"),
    record("sofia2018.8", "international_cooperation", 6, "Strengthen the EU-CELAC mechanism", scope=("eu", "celac")),
    record("honlea2017.africa.10.a", "supply_reduction", 3, "Share intelligence on trafficking routes",
           scope=("africa",)),
]

VALID_SPEC = f"""
spec_id: arq
version: 1.0.0
register_checksum: "{CHECKSUM}"
title: Test questionnaire
pillars:
  - key: demand_reduction
    title: Demand reduction
    sections:
      - key: dr-prevention
        title: Prevention
        chapter: 1
        scope: [global]
        context: [ungass2016.1.r]
        items:
          - key: poa2009.I.4.f.status
            kind: status
            commitments: [poa2009.I.4.f]
            label: Deliver evidence-based prevention programmes
            required: true
          - key: poa2009.I.4.f.measures
            kind: text
            commitments: [poa2009.I.4.f]
            label: Measures taken
            max_length: 4000
            show_if: "poa2009.I.4.f.status in ['planned', 'in_progress', 'implemented']"
          - key: poa2009.I.4.f.budget
            kind: number
            commitments: [poa2009.I.4.f]
            label: Budget
            number: {{type: decimal, unit: USD, min: 0}}
            show_if: "poa2009.I.4.f.status == 'implemented'"
          - key: poa2009.I.4.f.settings
            kind: multiple_choice
            commitments: [poa2009.I.4.f]
            label: Settings
            choices: [{{value: school, label: School}}, {{value: family, label: Family}}]
          - key: dr-prevention.comments
            kind: comment
            commitments: []
            label: Comments on this section
            max_length: 4000
        checks:
          - key: poa2009.I.4.f.budget-check
            expr: "not (poa2009.I.4.f.budget > 1000 * 1000) or 'school' in poa2009.I.4.f.settings"
            message: A budget above one million needs school settings.
  - key: international_cooperation
    title: International cooperation
    sections:
      - key: ic-eu-celac
        title: "Regional module: EU–CELAC"
        scope: [eu, celac]
        items:
          - key: sofia2018.8.status
            kind: status
            commitments: [sofia2018.8]
            label: Strengthen the EU-CELAC mechanism
            required: true
          - key: ic-eu-celac.comments
            kind: comment
            commitments: []
            label: Comments on this section
            max_length: 4000
commitments:
  poa2009.I.4.f: {{document: poa2009, label: (f), title: Deliver evidence-based prevention programmes, text: Deliver prevention.}}
  ungass2016.1.r: {{document: ungass2016, label: (r), title: UNODC and INCB to cooperate with WHO, text: Encourage UNODC.}}
  sofia2018.8: {{document: sofia2018, label: "8", title: Strengthen the EU-CELAC mechanism, text: Strengthen it.}}
"""


@pytest.fixture
def small_register():
    return copy.deepcopy(SMALL_REGISTER)


@pytest.fixture
def valid_spec():
    return yaml.safe_load(VALID_SPEC)


@pytest.fixture(scope="session")
def real_register():
    return load_register()


@pytest.fixture
def register_dir(tmp_path):
    """Write records as a register directory (the register's own writer), return its path."""
    def _write(records, name="register") -> Path:
        directory = tmp_path / name
        directory.mkdir()
        write_register(records, directory)
        return directory

    return _write


def write_spec(path: Path, spec: dict) -> Path:
    path.write_text(yaml.safe_dump(spec, sort_keys=False, allow_unicode=True), encoding="utf-8")
    return path
