"""The aggregation's SQL on PostgreSQL, the deployment database: the same figures as on SQLite."""
from datetime import date

import pytest

from .conftest import ANSWERS, N1, PREVIOUS_ANSWERS, S1, fill, make_cycle

pytestmark = pytest.mark.postgres


def test_figures_on_postgresql(postgres_app):
    from flask_migrate import upgrade

    from reporting.countries.services import load_countries
    from reporting.database import write_transaction
    from reporting.reports.aggregation import WORLD, Area, Coverage, NumberStats, Pairs
    from reporting.reports.content import cycle_content

    upgrade()
    with write_transaction():
        load_countries()
    fill(make_cycle("2025", date(2025, 6, 30), state="published"), PREVIOUS_ANSWERS)
    content = cycle_content(fill(make_cycle("2026", date(2026, 6, 30)), ANSWERS))
    s1 = content.pillars[0].questions[0]
    assert s1.key == S1 and s1.at(WORLD).counts == {"implemented": 2, "in_progress": 1, "not_started": 1}
    assert s1.at(Area("region", 150)).counts == {"implemented": 2, "in_progress": 1}
    assert s1.pairs_at() == Pairs(3, 1, 2)  # like for like: FRA, DEU, GBR answered both cycles
    assert s1.at(Area("regional_group", "western_european_other_states")).counts == {"implemented": 2, "in_progress": 1}
    indicator = content.pillars[0].sections[0].indicators[0]
    assert indicator.key == N1 and indicator.at(WORLD) == NumberStats(4, 1450, 200, 50, 1000)
    assert content.coverage[WORLD] == Coverage(193, 4)
