"""The project's byte-for-byte copy of the source documents and its checksums.

The register is built from ``questionnaire_specs/sources`` only; a source
whose SHA-256 differs from ``SHA256SUMS`` is refused, so an edit to a source
can never slip into the register unreviewed.
"""
import hashlib
from pathlib import Path

from reporting.register.model import RegisterError

MANIFEST = "SHA256SUMS"


def verified_sources(sources_dir: Path) -> dict[str, list[str]]:
    """Return ``{file name: lines}`` for every file in the manifest, after checking its checksum."""
    manifest = sources_dir / MANIFEST
    if not manifest.is_file():
        raise RegisterError(f"{manifest}: checksum manifest not found")
    sources = {}
    for number, line in enumerate(manifest.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        expected, _, name = line.partition("  ")
        if len(expected) != 64 or not name:
            raise RegisterError(f"{manifest}:{number}: expected '<sha256>  <file name>'")
        path = sources_dir / name
        if not path.is_file():
            raise RegisterError(f"{manifest}:{number}: source {name} is missing")
        data = path.read_bytes()
        actual = hashlib.sha256(data).hexdigest()
        if actual != expected:
            raise RegisterError(f"{manifest}:{number}: checksum of {name} does not match "
                                f"(expected {expected}, found {actual}); sources are never edited "
                                "by hand, corrections go into the register's overrides")
        sources[name] = data.decode("utf-8").splitlines()
    return sources
