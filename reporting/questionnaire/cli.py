"""``flask spec …``: generate, validate, diff, export and activate questionnaire specs.

Every command validates before it writes; a bad spec is one clear error
(file, item key, problem) with a non-zero exit, and files are written to a
temporary name and renamed, so nothing half-written is left under the final name.
"""
from collections import Counter
import os
from pathlib import Path

import click
from flask.cli import AppGroup
import yaml

from reporting.core.cli import database_errors_as_click
from reporting.questionnaire.areas import AreaError
from reporting.questionnaire.diff import diff_specs, to_markdown, to_text
from reporting.questionnaire.generate import generate_questionnaire, generate_spec
from reporting.questionnaire.indicators import CatalogueError, load_catalogue
from reporting.questionnaire.questions import QUESTIONS_PATH, QuestionsError, load_questions
from reporting.questionnaire.schema import SPECS_DIR, Spec, SpecError, dump_spec, items, load_spec, sections, validate_spec
from reporting.questionnaire.versions import SpecVersionConflict, activate_spec, next_version, spec_files
from reporting.register.build import load_register, register_checksum
from reporting.register.model import RegisterError

spec_cli = AppGroup("spec", help="Generate, validate, compare, export and activate questionnaire specs.")

register_option = click.option(
    "--register", "register_dir", type=click.Path(file_okay=False, path_type=Path),
    help="Register directory (default: questionnaire_specs/register).")


def _register(register_dir: Path | None) -> tuple[list[dict], str]:
    try:
        return load_register(register_dir), register_checksum(register_dir)
    except (RegisterError, OSError, yaml.YAMLError) as error:
        raise click.ClickException(f"register: {error}") from None


def _load_valid(path: Path, register_ids: set[str] | None = None) -> Spec:
    try:
        spec = load_spec(path)
        validate_spec(spec, register_ids, source=str(path))
    except SpecError as error:
        raise click.ClickException(str(error)) from None
    return spec


def _write(path: Path, data: bytes) -> None:
    """Write beside ``path`` under a temporary name, then rename over it (with the usual permissions,
    unlike ``mkstemp``'s owner-only ones)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        with open(temporary, "wb") as stream:
            stream.write(data)
        os.replace(temporary, path)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise


def _describe(spec: Spec) -> str:
    kinds = Counter(item["kind"] for _, item in items(spec))
    per_pillar = ", ".join(f"{pillar['key']} {len(pillar['sections'])}" for pillar in spec["pillars"])
    context = sum(len(section.get("context", ())) for _, section in sections(spec))
    return (f"{spec['spec_id']} {spec['version']}: sections {per_pillar}; {sum(kinds.values())} items ("
            + ", ".join(f"{count} {kind}" for kind, count in sorted(kinds.items()))
            + f"); {context} context commitments")


@spec_cli.command("generate")
@click.option("--out", type=click.Path(path_type=Path), default=SPECS_DIR, show_default="questionnaire_specs/",
              help="A directory (the file is named <spec_id>-<version>.yaml) or a .yaml file. "
                   "The newest spec in that directory decides the next version.")
@register_option
@click.option("--questions", "questions_path", type=click.Path(dir_okay=False, path_type=Path),
              help="The reviewed policy questions (default: questions.yaml in the register directory).")
def generate(out: Path, register_dir: Path | None, questions_path: Path | None) -> None:
    """Generate the questionnaire spec from the commitment register and its policy questions.

    A register without a questions file gets the first generator's questionnaire: every
    Member-State commitment asked alone (arq 1.x)."""
    records, checksum = _register(register_dir)
    questions_path = questions_path or (register_dir / QUESTIONS_PATH.name if register_dir else QUESTIONS_PATH)
    try:
        if questions_path.exists():
            catalogue = load_catalogue(register_ids={record["id"] for record in records})
            spec = generate_questionnaire(records, checksum, load_questions(records, questions_path), catalogue)
        else:
            spec = generate_spec(records, checksum)
    except QuestionsError as error:
        raise click.ClickException(f"{len(error.problems)} problem(s) in the policy questions; nothing written:\n"
                                   + str(error)) from None
    except (AreaError, CatalogueError) as error:
        raise click.ClickException(str(error)) from None
    to_file = out.suffix in (".yaml", ".yml")
    directory = out.parent if to_file else out
    files = spec_files(directory, spec["spec_id"]) if directory.is_dir() else []
    try:
        previous = load_spec(files[-1]) if files else None
        try:
            spec["version"] = next_version(previous, spec)
        except (KeyError, TypeError, AttributeError):
            # A spec this command wrote was valid; only a hand-edited one gets here. Validating it
            # only now keeps the usual run fast and still ends in a clear message, not a traceback.
            validate_spec(previous, source=str(files[-1]))
            raise
    except SpecError as error:
        raise click.ClickException(f"cannot compare with the previous version: {error}") from None
    try:
        validate_spec(spec, {record["id"] for record in records}, source="generated spec")
    except SpecError as error:
        raise click.ClickException(str(error)) from None
    path = out if to_file else directory / f"{spec['spec_id']}-{spec['version']}.yaml"
    _write(path, dump_spec(spec).encode("utf-8"))
    since = f" (previous {previous['version']})" if previous else " (first version)"
    click.echo(f"Wrote {path}: {_describe(spec)}{since}.")


@spec_cli.command("validate")
@click.argument("path", type=click.Path(path_type=Path))
@register_option
def validate(path: Path, register_dir: Path | None) -> None:
    """Check a spec: schema, expressions, unique keys, commitments in the register."""
    records, checksum = _register(register_dir)
    spec = _load_valid(path, {record["id"] for record in records})
    click.echo(f"{path}: valid — {_describe(spec)}.")
    if spec["register_checksum"] != checksum:
        click.echo(f"Note: {path} was generated from another state of the register; "
                   "`flask spec generate` would give a new version.", err=True)


@spec_cli.command("diff")
@click.argument("old", type=click.Path(path_type=Path))
@click.argument("new", type=click.Path(path_type=Path))
@click.option("--changelog", type=click.Path(dir_okay=False, path_type=Path),
              help="Where to write the Markdown changelog (default: changelog/<spec_id>-<old>-to-<new>.md "
                   "beside NEW).")
def diff(old: Path, new: Path, changelog: Path | None) -> None:
    """List added, removed and reworded items by section, say which answers carry forward, write a changelog."""
    old_spec, new_spec = _load_valid(old), _load_valid(new)
    changes = diff_specs(old_spec, new_spec)
    click.echo(to_text(changes), nl=False)
    changelog = changelog or new.parent / "changelog" / (
        f"{new_spec['spec_id']}-{old_spec['version']}-to-{new_spec['version']}.md")
    _write(changelog, to_markdown(changes).encode("utf-8"))
    click.echo(f"Changelog written to {changelog}")


@spec_cli.command("export-xlsform")
@click.argument("spec_path", metavar="SPEC", type=click.Path(path_type=Path))
@click.argument("out", type=click.Path(dir_okay=False, path_type=Path))
def export_xlsform(spec_path: Path, out: Path) -> None:
    """Write the spec as an XLSForm, checked by converting it with pyxform first."""
    # Imported here: pyxform and openpyxl would add a quarter of a second to every `flask` command.
    from pyxform.errors import PyXFormError
    from pyxform.xls2xform import convert

    from reporting.questionnaire.xlsform import load_catalogs, xlsform_bytes

    spec = _load_valid(spec_path)
    data = xlsform_bytes(spec, load_catalogs())
    warnings: list[str] = []
    try:
        convert(data, warnings=warnings, file_type=".xlsx")
    except PyXFormError as error:
        raise click.ClickException(f"{spec_path}: pyxform refuses the XLSForm: {error}") from None
    _write(out, data)
    for warning in warnings:
        click.echo(f"pyxform: {warning}", err=True)
    click.echo(f"Wrote {out}: XLSForm of {spec['spec_id']} {spec['version']}.")


@spec_cli.command("activate")
@click.argument("path", type=click.Path(path_type=Path))
@register_option
@database_errors_as_click
def activate(path: Path, register_dir: Path | None) -> None:
    """Validate a spec and store it, frozen, in the database (idempotent for the same content)."""
    records, _checksum = _register(register_dir)
    spec = _load_valid(path, {record["id"] for record in records})
    try:
        row, created = activate_spec(spec)
    except SpecVersionConflict as error:
        raise click.ClickException(f"{path}: {error}") from None
    verb = "Activated" if created else "Already active with identical content:"
    click.echo(f"{verb} {row.spec_id} {row.version} (sha256 {row.content_sha256[:12]}…).")
