"""E-mail speed: opening a cycle for all 193 Member States, each with a focal
point, writes one "cycle opened" message per focal point in that language and
delivers them to a real local SMTP server (aiosmtpd); then a reminder run and
a second, idempotent one. Prints figures; run from the repository root:

    .venv/bin/python benchmarks/notifications.py
"""
from datetime import date, timedelta
from pathlib import Path
import socket
import sys
import tempfile
import time

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from reporting import create_app  # noqa: E402

LANGUAGES = ("ar", "zh", "en", "fr", "ru", "es")


class Counter:
    received = 0

    async def handle_DATA(self, _server, _session, _envelope):
        self.received += 1
        return "250 OK"


def main() -> None:
    from aiosmtpd.controller import Controller

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    counter = Counter()
    controller = Controller(counter, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        with tempfile.TemporaryDirectory() as scratch:
            app = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{scratch}/bench.sqlite3", "SECRET_KEY": "bench",
                              "MAIL_SERVER": "127.0.0.1", "MAIL_PORT": port})
            with app.app_context():
                run(counter)
    finally:
        controller.stop()


def run(counter: Counter) -> None:
    from flask_migrate import upgrade
    from sqlalchemy import select

    from reporting.accounts.services import create_user
    from reporting.countries.services import load_countries
    from reporting.database import write_transaction
    from reporting.extensions import db
    from reporting.models import Country
    from reporting.notifications import services as notify
    from reporting.notifications.delivery import deliver_pending
    from reporting.questionnaire.versions import activate_spec, newest_spec
    from reporting.responses.cycles import find_cycle, open_cycle

    upgrade()
    with write_transaction():
        load_countries()
        activate_spec(spec := newest_spec(Path("questionnaire_specs"), "arq"))
        for index, iso3 in enumerate(db.session.scalars(select(Country.iso3).where(Country.is_member_state))):
            user = create_user(f"fp@{iso3.lower()}.example.org", "bench passphrase 123", "focal_point", iso3)
            user.locale = LANGUAGES[index % len(LANGUAGES)]

    start = time.perf_counter()
    with write_transaction():
        open_cycle("BENCH", spec["version"], date.today() + timedelta(days=7))
    queued = time.perf_counter()
    delivered, failed = deliver_pending()
    done = time.perf_counter()
    print(f"cycle opened: {delivered} messages in 6 languages written in {1000 * (queued - start):.0f} ms "
          f"(with opening the cycle), delivered in {1000 * (done - queued):.0f} ms "
          f"({1000 * (done - queued) / max(delivered, 1):.1f} ms each); SMTP server received {counter.received}; failed {failed}")

    cycle = find_cycle("BENCH")
    for run_number in (1, 2):
        start = time.perf_counter()
        counts = notify.send_reminders(cycle, [14, 7, 1])
        delivered, _failed = deliver_pending()
        print(f"reminder run {run_number}: {counts['countries']} countries reminded, {counts['already_sent']} already, "
              f"{delivered} delivered, {1000 * (time.perf_counter() - start):.0f} ms")


if __name__ == "__main__":
    main()
