"""Data-entry speed: the largest questionnaire section rendered by the app
against a static Jinja page with the same number of fields, and the latency
of saving that section. Prints figures; run from the repository root:

    .venv/bin/python benchmarks/data_entry.py [--repeat 30]
"""
import argparse
from datetime import date
from pathlib import Path
import re
import statistics
import sys
import tempfile
import time

from flask import Flask
from jinja2 import Environment

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.timing import timed  # noqa: E402
from reporting import create_app  # noqa: E402

# The same page as responses/section.html written as a plain template over
# plain data: the same fields, labels, full texts and layout, but no forms,
# no translations, no database and no request.
STATIC_PAGE = Environment(autoescape=True).from_string("""<!doctype html><html lang="en"><head><title>{{ title }}</title>
<link rel="stylesheet" href="/static/app.css"></head><body><header><nav><a href="/">Home</a></nav></header><main>
<h1>{{ title }}</h1><form method="post"><input type="hidden" name="base_version" value="1">
<table><thead><tr><th>Commitment</th>{% for value, label in scale %}<th id="head-{{ value }}">{{ label }}</th>{% endfor %}</tr></thead><tbody>
{% for item in items %}{% if item.kind == "status" %}<tr id="item-{{ item.key }}"><th scope="row"><span>{{ item.label }}</span>
<details><summary>{{ item.commitments[0] }}</summary><blockquote lang="en">{{ texts[item.commitments[0]] }}</blockquote></details></th>
{% for value, label in scale %}<td><input type="radio" name="{{ item.key }}" id="{{ item.key }}-{{ value }}" value="{{ value }}"
aria-labelledby="label-{{ item.key }} head-{{ value }}"></td>{% endfor %}</tr>
{% else %}<tr id="item-{{ item.key }}"><td colspan="6"><div class="field"><label for="{{ item.key }}">{{ item.label }}</label>
<textarea id="{{ item.key }}" name="{{ item.key }}" rows="3"></textarea></div></td></tr>{% endif %}{% endfor %}
</tbody></table><button>Save</button></form></main></body></html>""")


def median_ms(function, repeat: int) -> float:
    """Median wall time in milliseconds over ``repeat`` runs, after one warm-up run."""
    function()
    return 1000 * statistics.median(timed(function, repeat))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=30)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as scratch:
        app = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{scratch}/bench.sqlite3", "SECRET_KEY": "bench",
                          "WTF_CSRF_ENABLED": False, "LOGIN_RATE_LIMIT": "1000 per second"})
        with app.app_context():
            run(app, args.repeat)


def run(app, repeat: int) -> None:
    from flask_migrate import upgrade

    from forms.spec import Spec
    from reporting.accounts.services import create_user
    from reporting.countries.services import load_countries
    from reporting.database import write_transaction
    from reporting.questionnaire.schema import SPECS_DIR
    from reporting.questionnaire.versions import activate_spec, newest_spec
    from reporting.responses.cycles import open_cycle
    from reporting.questionnaire.scale import STATUS_VALUES

    upgrade()
    spec = newest_spec(SPECS_DIR, "arq")
    activate_spec(spec)
    with write_transaction():
        load_countries()
        open_cycle("BENCH", spec["version"], date(2030, 1, 1))
        create_user("focal@bench.example.org", "benchmark password", "focal_point", "FRA")
    section = max(Spec(spec).sections_for(frozenset({"global"})), key=lambda s: len(s.items))
    statuses = [item["key"] for item in section.status_items]
    client = app.test_client()
    client.post("/login", data={"email": "focal@bench.example.org", "password": "benchmark password"})
    url = f"/cycles/BENCH/FRA/{section.key}"
    response = client.get(url)
    assert response.status_code == 200, (response.status_code, response.headers.get("Location"))

    page_ms = median_ms(lambda: client.get(url), repeat)
    texts = {key: commitment["text"] for key, commitment in spec["commitments"].items()}
    scale = [(value, value.replace("_", " ").capitalize()) for value in STATUS_VALUES]
    render_static = lambda: STATIC_PAGE.render(title=section.title, items=section.items, texts=texts, scale=scale)  # noqa: E731
    static_ms = median_ms(render_static, repeat)
    bare = Flask("static-page")
    bare.add_url_rule("/page", "page", render_static)
    bare_client = bare.test_client()
    served_ms = median_ms(lambda: bare_client.get("/page"), repeat)

    counter = iter(range(10**9))

    def save():
        page = client.get(url).get_data(as_text=True)
        version = re.search(r'name="base_version"[^>]*value="(\d+)"', page).group(1)
        value = STATUS_VALUES[next(counter) % 4]
        data = {"base_version": version, **{key: value for key in statuses}}
        start = time.perf_counter()
        response = client.post(url, data=data)
        assert response.status_code == 302, response.status_code
        return (time.perf_counter() - start) * 1000

    save()
    saves = [save() for _ in range(repeat)]
    print(f"section '{section.key}': {len(section.items)} items ({len(statuses)} status questions)")
    print(f"section page render (app, median of {repeat}): {page_ms:.1f} ms")
    print(f"static Jinja page, same fields, rendered: {static_ms:.1f} ms (ratio {page_ms / static_ms:.2f}x)")
    print(f"same static page served by a bare Flask route: {served_ms:.1f} ms (ratio {page_ms / served_ms:.2f}x; target <= 3x)")
    print(f"save latency (POST, all {len(statuses)} statuses changed, median): {statistics.median(saves):.1f} ms; "
          f"p95 {sorted(saves)[int(0.95 * len(saves)) - 1]:.1f} ms")


if __name__ == "__main__":
    main()
