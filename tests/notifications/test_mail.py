"""E-mail through a real local SMTP server: rendered in the recipient's language,
written to the outbox with the change it reports, delivered after the commit."""
from sqlalchemy import select

from reporting import create_app
from reporting.accounts.services import send_password_reset
from reporting.database import write_transaction
from reporting.extensions import db as _db
from reporting.models import MessageStatus, OutboxMessage
from reporting.notifications.delivery import deliver_pending
from tests.conftest import IsolatedClient, _settings, form_state, login


def outbox(db):
    db.session.rollback()
    return db.session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)).all()


def test_message_in_the_recipients_language_over_smtp(app, db, mailbox, cycle, user_factory):
    from reporting.notifications import services as notify

    user_factory("focal_point", "EGY", email="fp@egy.example.org", name="Amina", locale="ar")
    user_factory("focal_point", "CHN", email="fp@chn.example.org", locale="zh")
    with write_transaction():
        assert notify.cycle_opened(cycle) == 2
    assert deliver_pending() == (2, 0)
    [arabic] = mailbox.to("fp@egy.example.org")
    assert arabic["From"] == "reporting@unodc.example.org"
    assert arabic["Content-Language"] == "ar"
    body = arabic.get_content()
    assert "مصر" in body and "Egypt" not in body  # the country named in Arabic
    assert "https://reporting.example.org/cycles/2025/EGY/" in body
    [chinese] = mailbox.to("fp@chn.example.org")
    assert "中国" in chinese.get_content() and "2026年6月30日" in chinese.get_content()  # name and date in Chinese
    assert {message.status for message in outbox(db)} == {MessageStatus.SENT.value}
    assert {message.body for message in outbox(db)} == {None}  # not kept once the SMTP server has them


def test_english_recipient_gets_english(app, db, mailbox, user_factory):
    user = user_factory("focal_point", "FRA", email="fp@fra.example.org", locale="en")
    with write_transaction():
        send_password_reset(user)
    deliver_pending()
    [message] = mailbox.to("fp@fra.example.org")
    assert message["Subject"] == "Reset your password"
    assert "The link expires in 60 minutes." in message.get_content()


def test_unreachable_server_keeps_the_message_and_retries(app, db, mailbox, user_factory, smtp_server):
    user = user_factory("focal_point", "FRA", email="fp@fra.example.org")
    with write_transaction():
        send_password_reset(user)
    app.config["MAIL_PORT"] = 1  # nothing listens there
    _reinit_mail(app)
    assert deliver_pending() == (0, 1)
    [stored] = outbox(db)
    assert stored.status == "failed" and "Error" in stored.error and stored.body
    assert mailbox.to("fp@fra.example.org") == []
    app.config["MAIL_PORT"] = smtp_server.port
    _reinit_mail(app)
    assert deliver_pending() == (1, 0)
    assert len(mailbox.to("fp@fra.example.org")) == 1
    assert deliver_pending() == (0, 0)  # delivered once, never again
    assert len(mailbox.to("fp@fra.example.org")) == 1


def _reinit_mail(app):
    from reporting.extensions import mail

    mail.init_app(app)


def test_without_smtp_messages_go_to_the_log_and_the_outbox_page(database_url, tmp_path, mailbox, caplog):
    app = create_app(_settings(database_url, tmp_path / "reports", MAIL_SERVER=""))
    app.test_client_class = IsolatedClient
    with app.app_context():
        from tests.conftest import make_user

        user = make_user("focal_point", "FRA", email="fp@fra.example.org")
        make_user("admin", None, email="admin@example.org")
        with write_transaction():
            send_password_reset(user)
        with caplog.at_level("INFO", logger="reporting.mail"):
            assert deliver_pending() == (1, 0)
        assert "fp@fra.example.org" in caplog.text and "/password/set/" in caplog.text
        assert mailbox.messages == []
        client = app.test_client()
        login(client, "fp@fra.example.org")
        assert client.get("/admin/outbox").status_code == 403
        client = app.test_client()
        login(client, "admin@example.org")
        page = client.get("/admin/outbox").get_data(as_text=True)
        assert "No SMTP server is configured" in page
        assert "fp@fra.example.org" in page and "/password/set/" in page and "written to the log" in page
        _db.session.remove()
        _db.engine.dispose()


def test_cycle_opened_goes_to_every_focal_point(app, db, mailbox, client, login_as, spec_version, user_factory):
    user_factory("focal_point", "KEN", email="fp@ken.example.org")
    user_factory("focal_point", "CHN", email="fp@chn.example.org", locale="zh")
    user_factory("viewer", "KEN", email="viewer@ken.example.org")
    login_as("compiler", None)
    state = form_state(client, "/cycles/")
    response = client.post("/cycles/", data={
        "csrf_token": state["csrf_token"], "label": "2026", "spec_version": spec_version.version, "deadline": "2026-12-31",
    })
    assert response.status_code == 302
    assert [m["Subject"] for m in mailbox.to("fp@ken.example.org")] == ["Reporting cycle 2026 is open"]
    [chinese] = mailbox.to("fp@chn.example.org")
    assert "2026" in chinese["Subject"]
    assert "/cycles/2026/CHN/" in chinese.get_content()
    assert mailbox.to("viewer@ken.example.org") == []


def test_returned_with_comments_and_accepted(app, db, mailbox, cycle, user_factory):
    from reporting.responses import submissions as service
    from reporting.models import Submission, Country

    fp = user_factory("focal_point", "MEX", email="fp@mex.example.org", locale="es")
    compiler = user_factory("compiler", None)
    submission = db.session.scalar(select(Submission).join(Country).where(Country.iso3 == "MEX"))
    with write_transaction():
        submission.state = "submitted"
    with write_transaction():
        service.return_submission(submission, {"dr-prevention": "Please give the number of people in treatment."},
                                  submission.version, compiler)
    deliver_pending()
    [returned] = mailbox.to("fp@mex.example.org")
    body = returned.get_content()
    assert "Please give the number of people in treatment." in body
    assert "https://reporting.example.org/cycles/2025/MEX/" in body
    assert returned["Content-Language"] == "es"
    with write_transaction():
        submission.state = "submitted"
    with write_transaction():
        service.accept(submission, submission.version, compiler)
    deliver_pending()
    assert len(mailbox.to("fp@mex.example.org")) == 2


def test_a_rolled_back_change_sends_nothing(app, db, mailbox, user_factory):
    user = user_factory("focal_point", "FRA", email="fp@fra.example.org")
    try:
        with write_transaction():
            send_password_reset(user)
            raise RuntimeError("something later in the same change failed")
    except RuntimeError:
        pass
    assert deliver_pending() == (0, 0)
    assert outbox(db) == [] and mailbox.messages == []


def test_a_claimed_batch_is_not_delivered_twice(app, db, mailbox, user_factory):
    """Two workers delivering at the same moment: the second finds nothing to take."""
    from reporting.notifications.delivery import _claim

    user = user_factory("focal_point", "FRA", email="fp@fra.example.org")
    with write_transaction():
        send_password_reset(user)
    claimed = _claim()
    assert len(claimed) == 1 and _claim() == [] and deliver_pending() == (0, 0)
    assert mailbox.messages == []


def test_outbox_page_hides_texts_when_smtp_is_configured(app, db, client, login_as, user_factory, mailbox, smtp_server):
    """A message waiting for a retry still holds its one-time link: admins do not see it."""
    user = user_factory("focal_point", "FRA", email="fp@fra.example.org")
    with write_transaction():
        send_password_reset(user)
    app.config["MAIL_PORT"] = 1
    _reinit_mail(app)
    deliver_pending()
    login_as("admin", None)
    page = client.get("/admin/outbox").get_data(as_text=True)
    assert "fp@fra.example.org" in page and "not delivered; will be retried" in page
    assert "/password/set/" not in page
    app.config["MAIL_PORT"] = smtp_server.port
    _reinit_mail(app)
