"""Where uploaded bytes live: content-addressed (the SHA-256 of the content is the
name), outside the web root, on the local disk by default or in an
S3-compatible object store when ``DOCUMENTS_STORAGE=s3``.

The database never holds the bytes, and nothing here is served directly: every
download goes through a view that checks the user's country first.
"""
from pathlib import Path
import os
import re
import tempfile

from flask import Flask, current_app

NAME = re.compile(r"^[0-9a-f]{64}$")
NAMESPACES = frozenset({"documents", "workbooks"})


class StorageError(RuntimeError):
    """The store is misconfigured or unreachable; the message says which setting to check."""


def _path_part(namespace: str, name: str) -> str:
    if namespace not in NAMESPACES or not NAME.match(name):
        raise ValueError(f"not a stored object name: {namespace}/{name}")
    return f"{namespace}/{name[:2]}/{name}"


class LocalStore:
    """Files under ``root`` (``instance/documents`` by default), written atomically."""

    def __init__(self, root: Path):
        self.root = Path(root)

    def put(self, namespace: str, name: str, data: bytes) -> None:
        path = self.root / _path_part(namespace, name)
        if path.exists():
            return  # same name, same content
        path.parent.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=path.parent, delete=False) as handle:
            handle.write(data)
        os.replace(handle.name, path)

    def get(self, namespace: str, name: str) -> bytes | None:
        path = self.root / _path_part(namespace, name)
        return path.read_bytes() if path.exists() else None

    def delete(self, namespace: str, name: str) -> None:
        (self.root / _path_part(namespace, name)).unlink(missing_ok=True)


class S3Store:
    """Objects ``<prefix><namespace>/<ab>/<sha256>`` in one bucket of an S3-compatible store.

    Credentials come the way boto3 finds them (``AWS_ACCESS_KEY_ID`` and
    ``AWS_SECRET_ACCESS_KEY``, a profile, an instance role).
    """

    def __init__(self, bucket: str, prefix: str = "", endpoint_url: str | None = None, region: str | None = None):
        import boto3

        self.bucket, self.prefix = bucket, prefix
        self.client = boto3.client("s3", endpoint_url=endpoint_url or None, region_name=region or None)

    def _key(self, namespace: str, name: str) -> str:
        return self.prefix + _path_part(namespace, name)

    def put(self, namespace: str, name: str, data: bytes) -> None:
        self.client.put_object(Bucket=self.bucket, Key=self._key(namespace, name), Body=data)

    def get(self, namespace: str, name: str) -> bytes | None:
        from botocore.exceptions import ClientError

        try:
            return self.client.get_object(Bucket=self.bucket, Key=self._key(namespace, name))["Body"].read()
        except ClientError as error:
            if error.response.get("Error", {}).get("Code") in ("NoSuchKey", "404"):
                return None
            raise

    def delete(self, namespace: str, name: str) -> None:
        self.client.delete_object(Bucket=self.bucket, Key=self._key(namespace, name))


def store():
    """The configured store, made once per application."""
    app = current_app._get_current_object()
    if "document_store" not in app.extensions:
        app.extensions["document_store"] = make_store(app)
    return app.extensions["document_store"]


def make_store(app: Flask):
    kind = app.config.get("DOCUMENTS_STORAGE", "local")
    if kind == "local":
        return LocalStore(Path(app.config["DOCUMENTS_DIR"]))
    if kind == "s3":
        bucket = app.config.get("DOCUMENTS_S3_BUCKET")
        if not bucket:
            raise StorageError("DOCUMENTS_STORAGE=s3 needs DOCUMENTS_S3_BUCKET (and usually DOCUMENTS_S3_ENDPOINT_URL).")
        return S3Store(
            bucket, app.config.get("DOCUMENTS_S3_PREFIX", ""),
            app.config.get("DOCUMENTS_S3_ENDPOINT_URL"), app.config.get("DOCUMENTS_S3_REGION"),
        )
    raise StorageError(f"DOCUMENTS_STORAGE must be 'local' or 's3', not {kind!r}.")
