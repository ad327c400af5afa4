"""A small inline questionnaire, and helpers to drive the data-entry pages."""
from datetime import date
import hashlib
import json
import re

import pytest
import yaml

from reporting.database import write_transaction
from reporting.models import SpecVersion
from reporting.responses.cycles import open_cycle

SPEC_YAML = """
spec_id: arq
version: 9.0.0
register_checksum: "0000"
title: Test questionnaire
pillars:
  - key: demand_reduction
    title: Demand reduction and related measures
    sections:
      - key: dr-prevention
        title: Prevention
        chapter: 1
        scope: [global]
        context: []
        items:
          - {key: t.1.status, kind: status, commitments: [t.1], label: Prevention programmes, required: true}
          - key: t.1.measures
            kind: text
            commitments: [t.1]
            label: Measures taken
            max_length: 200
            show_if: "t.1.status in ['planned', 'in_progress', 'implemented']"
          - {key: t.2.status, kind: status, commitments: [t.2], label: Treatment services, required: true}
          - key: t.2.indicator.1
            kind: number
            commitments: [t.2]
            label: People in treatment
            number: {type: integer, unit: persons, min: 0, max: 1000000}
          - key: t.2.indicator.2
            kind: number
            commitments: [t.2]
            label: Treatment coverage
            number: {type: percent, unit: "%"}
          - {key: dr-prevention.comments, kind: comment, commitments: [], label: Comments on this section}
        checks:
          - key: coverage-needs-treatment
            expr: "t.2.indicator.2 == 0 or t.2.indicator.1 > 0"
            message: Coverage above zero needs people in treatment.
  - key: supply_reduction
    title: Supply reduction and related measures
    sections:
      - key: sr-precursors
        title: Precursors
        chapter: 5
        scope: [global]
        context: []
        items:
          - {key: t.3.status, kind: status, commitments: [t.3], label: Precursor controls, required: true}
          - {key: t.3.evidence, kind: url, commitments: [t.3], label: Evidence (link)}
        checks: []
      - key: sofia-cooperation
        title: EU–CELAC cooperation
        chapter: 6
        scope: [eu, celac]
        context: []
        items:
          - {key: s.1.status, kind: status, commitments: [s.1], label: Bi-regional cooperation, required: true}
        checks: []
"""
SPEC = yaml.safe_load(SPEC_YAML)


def store_spec(content: dict) -> SpecVersion:
    text = json.dumps(content, sort_keys=True)
    spec = SpecVersion(
        spec_id=content["spec_id"], version=content["version"], register_checksum=content["register_checksum"],
        content_sha256=hashlib.sha256(text.encode()).hexdigest(), content=content,
    )
    from reporting.extensions import db

    db.session.add(spec)
    return spec


@pytest.fixture
def spec_version(app):
    with write_transaction():
        spec = store_spec(SPEC)
    return spec


@pytest.fixture
def cycle(spec_version):
    with write_transaction():
        cycle = open_cycle("2025", spec_version.version, date(2026, 6, 30))
    return cycle


def form_state(client, path: str) -> dict:
    """The hidden fields of a page's questionnaire form: csrf_token and base_version."""
    page = client.get(path).get_data(as_text=True)
    fields = dict(re.findall(r'<input[^>]*name="(csrf_token|base_version)"[^>]*value="([^"]*)"', page))
    assert "csrf_token" in fields, f"no form on {path}"
    return fields


def post_section(client, section: str, answers: dict, country: str = "FRA", state: dict | None = None):
    path = f"/cycles/2025/{country}/{section}"
    state = state or form_state(client, path)
    return client.post(path, data={**state, **answers})
