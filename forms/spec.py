"""A read-only index over a questionnaire spec (the dict stored in ``SpecVersion.content``)."""
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any, Iterator


@dataclass(frozen=True, eq=False)
class Section:
    """One thematic area (a data-entry page). Compared by identity: a spec
    version is indexed once per process, so each section exists once."""

    pillar_key: str
    pillar_title: str
    key: str
    title: str
    chapter: int | None
    scope: tuple[str, ...]
    items: tuple[dict[str, Any], ...]
    context: tuple[str, ...]
    checks: tuple[dict[str, Any], ...]
    show_if: str | None = None  # a module switched by the screening answers

    def applies_to(self, country_scopes: frozenset[str]) -> bool:
        """Global sections apply to everyone; regional modules to countries in one of their scopes."""
        return "global" in self.scope or bool(country_scopes.intersection(self.scope))

    @cached_property
    def status_items(self) -> list[dict[str, Any]]:
        return [item for item in self.items if item["kind"] == "status"]

    @cached_property
    def has_tables(self) -> bool:
        return any(item["kind"] == "table" for item in self.items)

    @cached_property
    def _question_of_commitment(self) -> dict[str, dict[str, Any]]:
        return {item["commitments"][0]: item for item in self.status_items if item.get("commitments")}

    def question_of(self, item: dict[str, Any]) -> dict[str, Any] | None:
        """The status question a follow-up item (measures, evidence, indicators) belongs to, if any.

        Follow-ups share a generic wording ("Measures taken"); naming their
        question is what tells 51 of them apart, on screen and to a screen reader."""
        if item["kind"] == "status" or not item.get("commitments"):
            return None
        return self._question_of_commitment.get(item["commitments"][0])

    @cached_property
    def topics(self) -> tuple["Topic", ...]:
        """The section's items grouped by the source document of their commitment, in order of
        first appearance; items tied to no commitment (section comments) come last.

        A long section (Precursors: 51 questions) is shown as one collapsible
        group per document, each with its own progress."""
        groups: dict[str | None, list[dict[str, Any]]] = {}
        for item in self.items:
            document = item["commitments"][0].partition(".")[0] if item.get("commitments") else None
            groups.setdefault(document, []).append(item)
        ordered = [key for key in groups if key is not None] + ([None] if None in groups else [])
        return tuple(Topic(document, tuple(groups[document])) for document in ordered)


@dataclass(frozen=True)
class Topic:
    """A run of one section's items from the same source document (``document`` None: no commitment)."""

    document: str | None
    items: tuple[dict[str, Any], ...]


@dataclass(frozen=True)
class Spec:
    content: dict[str, Any] = field(repr=False, hash=False, compare=False)

    @property
    def version(self) -> str:
        return self.content["version"]

    @cached_property
    def sections(self) -> tuple[Section, ...]:
        return tuple(
            Section(
                pillar_key=pillar["key"],
                pillar_title=pillar["title"],
                key=section["key"],
                title=section["title"],
                chapter=section.get("chapter"),
                scope=tuple(section.get("scope") or ("global",)),
                items=tuple(section.get("items", ())),
                context=tuple(section.get("context", ())),
                checks=tuple(section.get("checks", ())),
                show_if=section.get("show_if"),
            )
            for pillar in self.content["pillars"]
            for section in pillar["sections"]
        )

    @property
    def commitments(self) -> dict[str, dict[str, Any]]:
        """The commitments the spec asks about, frozen with it: id → text, title, document, label."""
        return self.content.get("commitments", {})

    @cached_property
    def _sections_by_key(self) -> dict[str, Section]:
        return {section.key: section for section in self.sections}

    @cached_property
    def items_by_key(self) -> dict[str, dict[str, Any]]:
        return {item["key"]: item for section in self.sections for item in section.items}

    @cached_property
    def section_of_item(self) -> dict[str, str]:
        return {item["key"]: section.key for section in self.sections for item in section.items}

    def question_of(self, item: dict[str, Any]) -> dict[str, Any] | None:
        """The status question a follow-up item belongs to (see ``Section.question_of``)."""
        return self._sections_by_key[self.section_of_item[item["key"]]].question_of(item)

    def section(self, key: str) -> Section | None:
        return self._sections_by_key.get(key)

    def sections_for(self, country_scopes: frozenset[str]) -> list[Section]:
        return [section for section in self.sections if section.applies_to(country_scopes)]

    def items_for(self, country_scopes: frozenset[str]) -> Iterator[dict[str, Any]]:
        for section in self.sections_for(country_scopes):
            yield from section.items
