"""The reviewed policy questions (``questionnaire_specs/register/questions.yaml``) and their checks.

The file groups the register's Member-State commitments into policy
questions, declares the screening questions and the modules they switch on.
Loading it checks everything a maintainer can get wrong against the register
and names the file and line: an unknown id, a commitment covered twice, a
declaratory record asked, a commitment left uncovered (with the command that
proposes a home for it), a question in an unknown section, over-long wording,
a screening rule that names an unknown question. Nothing is generated from a
file with a problem.
"""
from dataclasses import dataclass
from pathlib import Path
import re

from reporting.questionnaire import areas, expressions
from reporting.register.build import REGISTER_DIR
from reporting.register.model import RegisterError
from reporting.register.overrides import load_yaml

QUESTIONS_PATH = REGISTER_DIR / "questions.yaml"
MEMBER_STATES = "member_states"
MAX_WORDS = 25
KEY = re.compile(r"[a-z][a-z0-9]*(?:-[a-z0-9]+)*")
SCREENING_KEY = re.compile(r"screening\.[a-z][a-z0-9_]*")
SCREENING_CHOICES = ("yes", "no")


class QuestionsError(ValueError):
    """Problems in questions.yaml, one line each with file:line."""

    def __init__(self, problems: list[str]):
        super().__init__("\n".join(problems))
        self.problems = problems


@dataclass(frozen=True)
class Question:
    key: str
    section: str
    chapter: int
    wording: str
    covers: tuple[str, ...]
    show_if: str | None = None


@dataclass(frozen=True)
class Questions:
    screening: tuple[tuple[str, str], ...]  # (key, wording)
    modules: dict[str, str]  # section key -> show_if
    questions: tuple[Question, ...]

    def in_section(self, section_key: str) -> list[Question]:
        return [question for question in self.questions if question.section == section_key]


def _sections_by_key() -> dict[str, areas.Area]:
    return {area.key: area for pillar in areas.PILLARS for area in areas.sections_in_order(pillar)}


def load_questions(records: list[dict], path: Path = QUESTIONS_PATH) -> Questions:
    """The questions of ``path`` checked against the register ``records``; raises ``QuestionsError``."""
    try:
        data, lines = load_yaml(path)
    except RegisterError as error:
        raise QuestionsError([str(error)]) from None
    problems: list[str] = []

    def fail(where: tuple, message: str) -> None:
        problems.append(f"{path}:{lines.get(where, 1)}: {message}")

    unknown = set(data) - {"screening", "modules", "sections"}
    for name in sorted(unknown):
        fail((name,), f"unknown top-level entry {name!r} (expected screening, modules, sections)")
    screening = _screening(data.get("screening") or [], fail)
    screening_keys = {key for key, _ in screening}
    sections = _sections_by_key()
    modules = {}
    for section_key, module in (data.get("modules") or {}).items():
        where = ("modules", section_key)
        if section_key not in sections:
            fail(where, f"module {section_key!r} is no section of the questionnaire")
        elif not isinstance(module, dict) or not module.get("show_if") or not str(module.get("reason") or "").strip():
            fail(where, f"module {section_key}: give show_if and a one-line reason")
        elif _expression_ok(module["show_if"], section_key, screening_keys, lambda m, w=where: fail(w, m)):
            modules[section_key] = module["show_if"]
    by_id = {record["id"]: record for record in records}
    covered: dict[str, tuple] = {}
    questions: list[Question] = []
    keys: dict[str, tuple] = {}
    for section_key, entries in (data.get("sections") or {}).items():
        if section_key not in sections:
            fail(("sections", section_key), f"{section_key!r} is no section of the questionnaire "
                                             "(see reporting/questionnaire/areas.py)")
            continue
        for index, entry in enumerate(entries or []):
            where = ("sections", section_key, index)
            question = _question(entry, section_key, where, fail, screening_keys)
            if question is None:
                continue
            if question.key in keys:
                fail(where, f"question key {question.key!r} is used twice (first at line {lines.get(keys[question.key])})")
            keys[question.key] = where
            for cid in question.covers:
                record = by_id.get(cid)
                if record is None:
                    fail(where, f"question {question.key} covers {cid}, which is not in the register")
                elif MEMBER_STATES not in record["addressees"]:
                    fail(where, f"question {question.key} covers {cid}, which is not addressed to Member States")
                elif record["kind"] == "declaratory":
                    fail(where, f"question {question.key} covers {cid}, a declaratory record: it is context, "
                                "never asked (change its kind in overrides.yaml if it asks for action)")
                elif cid in covered:
                    fail(where, f"{cid} is covered twice: by {question.key} and by the question at line "
                                f"{lines.get(covered[cid])}")
                else:
                    covered[cid] = where
            questions.append(question)
    for record in records:
        if MEMBER_STATES in record["addressees"] and record["kind"] == "commitment" and record["id"] not in covered:
            problems.append(f"{path}:1: {record['document']} {record['id']} is covered by no question: "
                            f"\"{record['text'][:160]}\" — add it to a question (`flask register similar "
                            f"--id {record['id']}` proposes one) or, if it only declares, make it declaratory "
                            "in overrides.yaml")
    if problems:
        raise QuestionsError(problems)
    return Questions(tuple(screening), modules, tuple(questions))


def covers_by_question(path: Path = QUESTIONS_PATH) -> dict[str, tuple[str, ...]]:
    """Question key → the ids it covers, as the file says (unchecked: for proposals while it is being fixed)."""
    try:
        data, _lines = load_yaml(path)
    except RegisterError as error:
        raise QuestionsError([str(error)]) from None
    return {entry["key"]: tuple(entry.get("covers") or ()) for entries in (data.get("sections") or {}).values()
            for entry in entries or () if isinstance(entry, dict) and isinstance(entry.get("key"), str)}


def _screening(entries: list, fail) -> list[tuple[str, str]]:
    found = []
    for index, entry in enumerate(entries):
        where = ("screening", index)
        if not isinstance(entry, dict) or not SCREENING_KEY.fullmatch(str(entry.get("key", ""))):
            fail(where, "a screening question needs a key screening.<name> (lower case, digits, _)")
        elif not str(entry.get("question") or "").strip():
            fail(where, f"{entry['key']}: give the question wording")
        else:
            found.append((entry["key"], entry["question"].strip()))
    return found


def _question(entry, section_key: str, where: tuple, fail, screening_keys: set[str]) -> Question | None:
    if not isinstance(entry, dict):
        fail(where, "expected a question with key, chapter, question and covers")
        return None
    key, wording, covers = entry.get("key"), str(entry.get("question") or "").strip(), entry.get("covers")
    if not isinstance(key, str) or not KEY.fullmatch(key):
        fail(where, f"question key {key!r} must be lower-case words joined by hyphens")
        return None
    if not wording:
        fail(where, f"question {key}: give the question wording")
    elif len(wording.split()) > MAX_WORDS:
        fail(where, f"question {key}: {len(wording.split())} words; a question has at most {MAX_WORDS}")
    chapter = entry.get("chapter")
    if chapter not in range(1, 8):
        fail(where, f"question {key}: chapter must be an UNGASS 2016 chapter, 1 to 7")
    if not isinstance(covers, list) or not covers or not all(isinstance(c, str) for c in covers):
        fail(where, f"question {key}: covers must list the commitment ids it asks about")
        return None
    show_if = entry.get("show_if")
    if show_if is not None and not _expression_ok(show_if, key, screening_keys, lambda m: fail(where, m)):
        return None
    extra = set(entry) - {"key", "chapter", "question", "covers", "show_if"}
    if extra:
        fail(where, f"question {key}: unknown field(s) {', '.join(sorted(extra))}")
    return Question(key, section_key, chapter, wording, tuple(covers), show_if)


def _expression_ok(source, owner: str, screening_keys: set[str], fail) -> bool:
    """A module or question rule may read the screening answers only."""
    known = {key: {"kind": "single_choice", "choices": [{"value": v} for v in SCREENING_CHOICES]}
             for key in screening_keys}
    try:
        expressions.parse(str(source), owner, known)
    except expressions.ExpressionError as error:
        fail(f"{owner}: show_if: {error.message} at character {error.position} "
             f"(a rule may read the screening questions: {', '.join(sorted(screening_keys))})")
        return False
    return True
