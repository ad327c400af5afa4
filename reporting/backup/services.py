"""Backup and restore, verified both ways.

A backup is one folder: the database (SQLite's online backup API, so the app
can keep running; ``pg_dump`` for PostgreSQL), a copy of the documents store
(``instance/documents``) if there is one, and ``manifest.json`` with the
SHA-256 of every file, the row count and a checksum of the contents of every
table. ``restore`` refuses a backup whose files do not match their checksums,
restores, and then checks every table against the manifest before it reports
success; the restore itself is then written to the audit log.
"""
from dataclasses import dataclass
from datetime import datetime, timezone
import hashlib
import json
import os
from pathlib import Path
import secrets
import shutil
import sqlite3
import subprocess

from flask import current_app
from sqlalchemy import create_engine, inspect, select, text
from sqlalchemy.engine import make_url

from reporting import audit
from reporting.database import write_transaction
from reporting.extensions import db
from reporting.models import Base

MANIFEST = "manifest.json"
SQLITE_FILE, POSTGRES_FILE, DOCUMENTS = "database.sqlite3", "database.pgdump", "documents"
FORMAT = 1


class BackupError(Exception):
    """The message says what is wrong and where."""


@dataclass
class Verified:
    folder: Path
    tables: dict[str, int]  # rows per table
    documents: int  # files in the documents store


def documents_dir() -> Path:
    return Path(current_app.config["DOCUMENTS_DIR"])


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _files(folder: Path) -> dict[str, str]:
    """Every file under ``folder`` (relative path → SHA-256)."""
    return {str(path.relative_to(folder)): _sha256(path) for path in sorted(folder.rglob("*")) if path.is_file()}


def table_checksums(connection) -> dict[str, dict]:
    """Rows and a checksum of the contents of every table the app defines, in primary-key order."""
    result = {}
    existing = set(inspect(connection).get_table_names())
    for table in Base.metadata.sorted_tables:
        if table.name not in existing:
            continue
        digest = hashlib.sha256()
        rows = 0
        for row in connection.execute(select(table).order_by(*table.primary_key.columns)):
            digest.update(repr(tuple(row)).encode())
            rows += 1
        result[table.name] = {"rows": rows, "sha256": digest.hexdigest()}
    result["alembic_version"] = {"rows": 0, "sha256": connection.execute(
        text("SELECT version_num FROM alembic_version")).scalar() or ""}
    return result


def _postgres_args(url: str) -> tuple[list[str], dict]:
    """libpq connection options and environment (the password stays out of the process list)."""
    parsed = make_url(url)
    args = ["-h", parsed.host or "localhost", "-p", str(parsed.port or 5432), "-U", parsed.username or "postgres"]
    env = {**os.environ, **({"PGPASSWORD": parsed.password} if parsed.password else {})}
    return args, env | {"PGDATABASE": parsed.database or ""}


def _run(command: list[str], env: dict) -> None:
    try:
        completed = subprocess.run(command, env=env, capture_output=True, text=True)
    except FileNotFoundError:
        raise BackupError(f"{command[0]} is not installed (apt-get install postgresql-client)") from None
    if completed.returncode != 0:
        raise BackupError(f"{command[0]} failed: {completed.stderr.strip() or completed.returncode}")


def create(out_dir: Path) -> Verified:
    """Write a new backup folder under ``out_dir``; returns it with what it holds."""
    stamp = datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%SZ")
    final = Path(out_dir) / f"backup-{stamp}"
    temp = Path(out_dir) / f".backup-{stamp}.{secrets.token_hex(4)}.part"
    try:
        temp.mkdir(parents=True)
    except OSError as error:
        raise BackupError(f"cannot write to {out_dir}: {error.strerror or error}") from None
    try:
        url = str(db.engine.url)
        db.session.commit()
        if db.engine.dialect.name == "sqlite":
            kind, name = "sqlite", SQLITE_FILE
            source = sqlite3.connect(db.engine.url.database)
            target = sqlite3.connect(temp / name)
            try:
                with target:
                    source.backup(target)  # a consistent copy while the app keeps writing
            finally:
                source.close()
                target.close()
            engine = create_engine(f"sqlite:///{temp / name}")
            try:
                with engine.connect() as connection:
                    checksums = table_checksums(connection)
            finally:
                engine.dispose()
        else:
            kind, name = "postgresql", POSTGRES_FILE
            args, env = _postgres_args(db.engine.url.render_as_string(hide_password=False))
            with db.engine.connect().execution_options(isolation_level="REPEATABLE READ") as connection:
                # The dump and the checksums see the same snapshot while the app keeps writing.
                snapshot = connection.execute(text("SELECT pg_export_snapshot()")).scalar()
                _run(["pg_dump", *args, f"--snapshot={snapshot}", "--format=custom", "--no-owner",
                      "--no-privileges", "-f", str(temp / name)], env)
                checksums = table_checksums(connection)
        documents = documents_dir()
        if documents.is_dir():
            shutil.copytree(documents, temp / DOCUMENTS)
        manifest = {
            "format": FORMAT, "created_at": datetime.now(timezone.utc).isoformat(timespec="seconds"),
            "database": kind, "database_url": make_url(url).render_as_string(hide_password=True),
            "files": _files(temp), "tables": checksums,
        }
        (temp / MANIFEST).write_text(json.dumps(manifest, indent=2, sort_keys=True))
        os.replace(temp, final)
    except BaseException:
        shutil.rmtree(temp, ignore_errors=True)
        raise
    return Verified(final, {name: entry["rows"] for name, entry in manifest["tables"].items()},
                    sum(1 for path in manifest["files"] if path.startswith(DOCUMENTS + "/")))


def read_manifest(folder: Path) -> dict:
    """The backup's manifest, after checking every file against it."""
    folder = Path(folder)
    try:
        manifest = json.loads((folder / MANIFEST).read_text())
    except FileNotFoundError:
        raise BackupError(f"{folder} is not a backup: no {MANIFEST}") from None
    except ValueError as error:
        raise BackupError(f"{folder / MANIFEST} is damaged: {error}") from None
    if manifest.get("format") != FORMAT:
        raise BackupError(f"{folder / MANIFEST}: unknown backup format {manifest.get('format')!r}")
    actual = _files(folder)
    actual.pop(MANIFEST, None)
    for name, digest in manifest["files"].items():
        if name not in actual:
            raise BackupError(f"the backup is incomplete: {folder / name} is missing")
        if actual[name] != digest:
            raise BackupError(f"the backup is damaged: {folder / name} does not match its checksum")
    extra = sorted(set(actual) - set(manifest["files"]))
    if extra:
        raise BackupError(f"the backup has files its manifest does not list: {folder / extra[0]}")
    return manifest


def restore(folder: Path) -> Verified:
    """Replace the database and the documents store with the backup's, then verify every table.

    Stop the web server and the queue workers first: the database is replaced under them.
    """
    folder = Path(folder)
    manifest = read_manifest(folder)
    dialect = db.engine.dialect.name
    if manifest["database"] != ("sqlite" if dialect == "sqlite" else "postgresql"):
        raise BackupError(f"the backup is of a {manifest['database']} database; this app uses {dialect} "
                          f"(DATABASE_URL)")
    db.session.remove()
    if dialect == "sqlite":
        live = Path(db.engine.url.database)
        db.engine.dispose()
        temp = live.with_name(f".{live.name}.{secrets.token_hex(4)}.restore")
        shutil.copyfile(folder / SQLITE_FILE, temp)
        os.replace(temp, live)
        for suffix in ("-wal", "-shm"):  # the replaced database's journal must not be replayed onto the backup
            Path(f"{live}{suffix}").unlink(missing_ok=True)
    else:
        args, env = _postgres_args(db.engine.url.render_as_string(hide_password=False))
        db.engine.dispose()
        _run(["pg_restore", *args, "--clean", "--if-exists", "--no-owner", "--no-privileges", "--single-transaction",
              "-d", env["PGDATABASE"], str(folder / POSTGRES_FILE)], env)
    documents = documents_dir()
    if (folder / DOCUMENTS).is_dir() or documents.exists():
        temp = documents.with_name(f".{documents.name}.{secrets.token_hex(4)}.restore")
        if (folder / DOCUMENTS).is_dir():
            shutil.copytree(folder / DOCUMENTS, temp)
        else:
            temp.mkdir(parents=True)
        old = documents.with_name(f".{documents.name}.{secrets.token_hex(4)}.old")
        if documents.exists():
            os.replace(documents, old)
        os.replace(temp, documents)
        shutil.rmtree(old, ignore_errors=True)
    with db.engine.connect() as connection:
        found = table_checksums(connection)
    wrong = [name for name, entry in manifest["tables"].items() if found.get(name) != entry]
    if wrong:
        raise BackupError(f"the restored database differs from the backup in table(s) {', '.join(wrong)}")
    expected_documents = {name: digest for name, digest in manifest["files"].items() if name.startswith(DOCUMENTS + "/")}
    restored = {f"{DOCUMENTS}/{name}": digest for name, digest in _files(documents).items()} if documents.is_dir() else {}
    if restored != expected_documents:
        raise BackupError(f"the restored documents store {documents} differs from the backup")
    with write_transaction():
        audit.record("backup.restored", "backup", folder.name, new={
            "created_at": manifest["created_at"], "tables": {name: entry["rows"] for name, entry in manifest["tables"].items()},
            "documents": len(expected_documents)})
    return Verified(folder, {name: entry["rows"] for name, entry in manifest["tables"].items()}, len(expected_documents))
