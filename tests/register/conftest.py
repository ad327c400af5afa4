"""Fixtures for the register tests: the real register, and editable copies of its inputs."""
import hashlib
import shutil
from pathlib import Path

import pytest

from reporting.register.build import REGISTER_DIR, SOURCES_DIR, build_register


@pytest.fixture(scope="session")
def records() -> dict[str, dict]:
    """The register built from the committed sources, by id."""
    return {record["id"]: record for record in build_register()}


@pytest.fixture
def inputs(tmp_path):
    """Copies of the sources and the register directory that a test may break."""
    sources, register = tmp_path / "sources", tmp_path / "register"
    shutil.copytree(SOURCES_DIR, sources)
    shutil.copytree(REGISTER_DIR, register)
    return Inputs(sources, register)


class Inputs:
    def __init__(self, sources: Path, register: Path):
        self.sources, self.register = sources, register

    def edit_source(self, name: str, edit, update_checksum: bool = True) -> None:
        """Rewrite a source with ``edit(lines) -> lines``; keep the manifest in step unless told not to."""
        path = self.sources / name
        lines = path.read_text(encoding="utf-8").split("\n")
        path.write_text("\n".join(edit(lines)), encoding="utf-8")
        if update_checksum:
            manifest = self.sources / "SHA256SUMS"
            digest = hashlib.sha256(path.read_bytes()).hexdigest()
            manifest.write_text("".join(
                f"{digest}  {name}\n" if line.endswith(f"  {name}") else f"{line}\n"
                for line in manifest.read_text().splitlines()))

    def edit_register_file(self, name: str, old: str, new: str) -> None:
        path = self.register / name
        text = path.read_text(encoding="utf-8")
        assert old in text
        path.write_text(text.replace(old, new, 1), encoding="utf-8")

    def snapshot(self) -> dict[str, bytes]:
        return {path.name: path.read_bytes() for path in sorted(self.register.iterdir())}
