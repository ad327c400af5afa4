"""Evidence documents through the real app: type from the content, content-addressed
storage outside the web root (local disk and a real S3 server), guarded downloads."""
import hashlib
import io
from pathlib import Path
import re
import zipfile

from PIL import Image
import pytest
from sqlalchemy import func, select

from reporting.documents.services import safe_filename
from reporting.models import AuditEvent, Document
from tests.conftest import csrf_token
from tests.responses.workbooks import sign_in_as

SECTION = "/cycles/2025/FRA/sr-precursors"
PDF = b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"


def png() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (4, 4), "teal").save(buffer, "PNG")
    return buffer.getvalue()


def docx(macros: bool = False) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"/>')
        archive.writestr("_rels/.rels", "<Relationships/>")
        archive.writestr("word/document.xml", "<document/>")
        if macros:
            archive.writestr("word/vbaProject.bin", b"\xd0\xcf\x11\xe0")
    return buffer.getvalue()


def post_document(client, data: bytes, filename: str, item_key: str = "t.3.evidence", country: str = "FRA"):
    token = csrf_token(client, f"/cycles/2025/{country}/")
    return client.post(
        f"/cycles/2025/{country}/documents", content_type="multipart/form-data",
        data={"csrf_token": token, "item_key": item_key, "document": (io.BytesIO(data), filename)},
    )


def flashes(client, response) -> str:
    assert response.status_code == 303, response.get_data(as_text=True)[:500]
    page = client.get(response.location).get_data(as_text=True)
    return " ".join(re.findall(r'class="flash flash-\w+"[^>]*>([^<]*)', page))


def documents(db) -> list[Document]:
    db.session.rollback()  # see what the requests committed
    return list(db.session.scalars(select(Document).order_by(Document.id)))


def stored_state(db, app) -> tuple:
    db.session.rollback()
    files = sorted(path.name for path in Path(app.config["DOCUMENTS_DIR"]).rglob("*") if path.is_file())
    return (db.session.scalar(select(func.count()).select_from(Document)),
            db.session.scalar(select(func.count()).select_from(AuditEvent)), files)


def test_upload_list_and_download(app, client, db, cycle, login_as):
    login_as("focal_point", "FRA")
    response = post_document(client, PDF, "../../tmp/national: strategy*2024?.pdf")
    assert flashes(client, response) == "“national strategy2024.pdf” is attached as evidence."
    assert response.location.endswith("/cycles/2025/FRA/sr-precursors#item-t.3.evidence")
    [document] = documents(db)
    sha256 = hashlib.sha256(PDF).hexdigest()
    assert (document.sha256, document.media_type, document.size) == (sha256, "application/pdf", len(PDF))
    # Content-addressed, outside the web root (instance/documents, not static/).
    path = Path(app.config["DOCUMENTS_DIR"]) / "documents" / sha256[:2] / sha256
    assert path.read_bytes() == PDF and not str(path).startswith(app.static_folder)
    # Listed beside the question and on the submission (review) page.
    link = f"/cycles/2025/FRA/documents/{document.id}"
    assert link in client.get(SECTION).get_data(as_text=True)
    assert link in client.get("/cycles/2025/FRA/").get_data(as_text=True)
    # The same file again is the same document.
    post_document(client, PDF, "copy.pdf")
    assert len(documents(db)) == 1

    download = client.get(link)
    assert download.status_code == 200 and download.data == PDF
    assert download.headers["Content-Disposition"] == 'attachment; filename="national strategy2024.pdf"'
    assert download.headers["X-Content-Type-Options"] == "nosniff"

    sign_in_as(client, login_as, "compiler", None)
    assert client.get(link).status_code == 200
    sign_in_as(client, login_as, "viewer", "FRA")
    assert client.get(link).status_code == 200
    sign_in_as(client, login_as, "focal_point", "DEU")
    assert client.get(link).status_code == 403
    assert client.get(f"/cycles/2025/DEU/documents/{document.id}").status_code == 404  # not DEU's document


@pytest.mark.parametrize(("sent", "kept"), [
    ("C:\\Users\\fp\\Strategy.PDF", "Strategy.pdf"),
    ("..", "document.pdf"),
    ("a\x00b\u202e.pdf", "ab.pdf"),
    ("x" * 300 + ".pdf", "x" * 116 + ".pdf"),
])
def test_safe_filename(sent, kept):
    assert safe_filename(sent, "pdf") == kept


def test_unicode_name_is_kept_for_the_download(client, db, cycle, login_as):
    login_as("focal_point", "FRA")
    post_document(client, png(), "استراتيجية.png")
    [document] = documents(db)
    disposition = client.get(f"/cycles/2025/FRA/documents/{document.id}").headers["Content-Disposition"]
    assert disposition.startswith("attachment;") and "filename*=UTF-8''%D8%A7%D8%B3" in disposition


@pytest.mark.parametrize(("data", "filename", "item", "message"), [
    (png(), "law.pdf", "t.3.evidence", "“law.pdf” is named as a .pdf file but its content is PNG."),
    (b"MZ\x90\x00 this is a program", "report.pdf", "t.3.evidence", "“report.pdf” is not a file type accepted as evidence (PDF, DOCX, XLSX, ODT, PNG, JPEG)"),
    (docx(macros=True), "plan.docx", "t.3.evidence", "“plan.docx” contains macros."),
    (b"", "empty.pdf", "t.3.evidence", "“empty.pdf” is empty."),
    (PDF, "law.pdf", "t.3.status", "t.3.status is not a question that takes documents"),
    (PDF, "law.pdf", "t.9.evidence", "t.9.evidence is not a question that takes documents"),
])
def test_refused_files_store_nothing(app, client, db, cycle, login_as, data, filename, item, message):
    login_as("focal_point", "FRA")
    before = stored_state(db, app)
    assert message in flashes(client, post_document(client, data, filename, item))
    assert stored_state(db, app) == before


def test_over_size_upload_stores_nothing(app, client, db, cycle, login_as):
    login_as("focal_point", "FRA")
    before = stored_state(db, app)
    just_over = PDF + bytes(20 * 1024 * 1024)  # refused by the document check
    assert "“big.pdf” is larger than 20 MB. Nothing was stored." in flashes(client, post_document(client, just_over, "big.pdf"))
    far_over = just_over + bytes(200 * 1024)  # refused before the body is read
    assert "The file is larger than 20 MB. Nothing was stored." in flashes(client, post_document(client, far_over, "big.pdf"))
    assert stored_state(db, app) == before


def test_docx_odt_jpeg_accepted(client, db, cycle, login_as):
    login_as("focal_point", "FRA")
    odt = io.BytesIO()
    with zipfile.ZipFile(odt, "w") as archive:
        archive.writestr(zipfile.ZipInfo("mimetype"), "application/vnd.oasis.opendocument.text")
        archive.writestr("content.xml", "<office:document-content/>")
    jpeg = io.BytesIO()
    Image.new("RGB", (4, 4)).save(jpeg, "JPEG")
    for data, name in ((docx(), "plan.docx"), (odt.getvalue(), "plan.odt"), (jpeg.getvalue(), "photo.jpg")):
        assert "is attached" in flashes(client, post_document(client, data, name))
    assert sorted(document.media_type for document in documents(db)) == [
        "application/vnd.oasis.opendocument.text",
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document", "image/jpeg"]


def test_only_the_focal_point_uploads_and_removes(app, client, db, cycle, login_as):
    login_as("compiler", None)
    before = stored_state(db, app)
    assert "Only a national focal point or contributor of this country" in flashes(client, post_document(client, PDF, "law.pdf"))
    assert stored_state(db, app) == before

    sign_in_as(client, login_as, "focal_point", "FRA")
    post_document(client, PDF, "law.pdf")
    [document] = documents(db)
    sha256 = document.sha256
    token = csrf_token(client, SECTION)
    assert "“law.pdf” was removed." in flashes(client, client.post(f"/cycles/2025/FRA/documents/{document.id}/remove", data={"csrf_token": token}))
    assert documents(db) == []
    assert not list(Path(app.config["DOCUMENTS_DIR"]).rglob(sha256))
    actions = list(db.session.scalars(select(AuditEvent.action).where(AuditEvent.action.like("document.%")).order_by(AuditEvent.id)))
    assert actions == ["document.added", "document.removed"]
    history = client.get("/cycles/2025/FRA/history").get_data(as_text=True)
    assert "Document attached" in history and "Document removed" in history


@pytest.fixture
def s3_server(monkeypatch):
    from moto.server import ThreadedMotoServer
    import boto3

    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    for name, value in (("AWS_ACCESS_KEY_ID", "test"), ("AWS_SECRET_ACCESS_KEY", "test"), ("AWS_DEFAULT_REGION", "us-east-1")):
        monkeypatch.setenv(name, value)
    endpoint = f"http://{host}:{port}"
    boto3.client("s3", endpoint_url=endpoint).create_bucket(Bucket="evidence")
    yield endpoint
    server.stop()


def test_documents_in_an_s3_compatible_store(app, client, db, cycle, login_as, s3_server):
    import boto3

    app.config.update(DOCUMENTS_STORAGE="s3", DOCUMENTS_S3_BUCKET="evidence", DOCUMENTS_S3_ENDPOINT_URL=s3_server, DOCUMENTS_S3_PREFIX="reporting/")
    login_as("focal_point", "FRA")
    assert "is attached" in flashes(client, post_document(client, PDF, "law.pdf"))
    sha256 = hashlib.sha256(PDF).hexdigest()
    bucket = boto3.client("s3", endpoint_url=s3_server)
    key = f"reporting/documents/{sha256[:2]}/{sha256}"
    assert bucket.get_object(Bucket="evidence", Key=key)["Body"].read() == PDF
    assert not Path(app.config["DOCUMENTS_DIR"]).exists()
    [document] = documents(db)
    assert client.get(f"/cycles/2025/FRA/documents/{document.id}").data == PDF
    token = csrf_token(client, SECTION)
    client.post(f"/cycles/2025/FRA/documents/{document.id}/remove", data={"csrf_token": token})
    assert bucket.list_objects_v2(Bucket="evidence").get("KeyCount") == 0


def test_documents_through_the_api(app, client, db, cycle, login_as, user_factory):
    from tests.api.test_api import token_for

    login_as("focal_point", "FRA")
    post_document(client, PDF, "law.pdf")
    api = app.test_client()  # no session cookie: bearer tokens only
    headers = token_for(user_factory, "compiler")
    [listed] = api.get("/api/v1/cycles/2025/submissions/FRA", headers=headers).json["documents"]
    assert (listed["key"], listed["filename"], listed["size"]) == ("t.3.evidence", "law.pdf", len(PDF))
    response = api.get(listed["url"], headers=headers)
    assert response.data == PDF and response.headers["Content-Disposition"].startswith("attachment;")
    other = token_for(user_factory, "focal_point", "DEU")
    assert api.get(listed["url"], headers=other).status_code == 403
    assert api.get(listed["url"].replace("FRA", "DEU"), headers=other).status_code == 404
