"""What a register record is, which documents exist, and the one error type.

Kept apart from the parsers so that every step (parse, classify, curate,
write, check) speaks the same vocabulary.
"""
from dataclasses import dataclass, field
from typing import Any

Record = dict[str, Any]

# Keys of a record, in the order they are written.
FIELDS = ("id", "document", "path", "label", "text", "verbs", "target",
          "addressees", "pillar", "chapter", "scope", "kind", "title")

# ``commitment``: asks someone to act, so it can be asked about. ``declaratory``:
# reaffirms, recognizes, notes, welcomes, describes the meeting, introduces a
# list, or is the chapeau of sub-items that are asked: context, never a question.
KINDS = ("commitment", "declaratory")

PILLARS = ("demand_reduction", "supply_reduction", "international_cooperation")
CHAPTERS = range(1, 8)

# Document key -> (title, source file). Order is the register's order.
DOCUMENTS = {
    "pd2009": ("Political Declaration of 2009 on International Cooperation towards an Integrated "
               "and Balanced Strategy to Counter the World Drug Problem",
               "commitments-compilation-2023.txt"),
    "poa2009": ("Plan of Action of 2009 on International Cooperation towards an Integrated and "
                "Balanced Strategy to Counter the World Drug Problem",
                "commitments-compilation-2023.txt"),
    "jms2014": ("Joint Ministerial Statement of the 2014 high-level review by the Commission on "
                "Narcotic Drugs", "commitments-compilation-2023.txt"),
    "jms2014-priorities": ("Joint Ministerial Statement 2014: achievements, challenges and "
                           "priorities for action", "commitments-compilation-2023.txt"),
    "ungass2016": ("Outcome document of the thirtieth special session of the General Assembly "
                   "(UNGASS 2016): Our joint commitment to effectively addressing and countering "
                   "the world drug problem", "commitments-compilation-2023.txt"),
    "sofia2018": ("Sofia declaration of the XX High Level Meeting of the EU-CELAC Coordination "
                  "and Cooperation Mechanism on Drugs (2018)", "sofia-declaration-2018.txt"),
    "honlea2017": ("Recommendations of the 2017 meetings of heads of national drug law "
                   "enforcement agencies and of the Subcommission on Illicit Drug Traffic in the "
                   "Near and Middle East", "subsidiary-bodies-recommendations-2017.txt"),
}


# Where the official text of each document is published, and in which languages. United Nations
# documents by their symbol in the six official languages; the Sofia declaration as Council of the
# EU document ST 10482/18 in the EU languages among ours. The source copy of the 2017 recommendations
# does not state the report's symbol, so it has no link rather than a guessed one.
OFFICIAL_TEXTS = {
    "pd2009": ("E/2009/28", "https://undocs.org/{language}/E/2009/28", ("ar", "zh", "en", "fr", "ru", "es")),
    "poa2009": ("E/2009/28", "https://undocs.org/{language}/E/2009/28", ("ar", "zh", "en", "fr", "ru", "es")),
    "jms2014": ("E/2014/28", "https://undocs.org/{language}/E/2014/28", ("ar", "zh", "en", "fr", "ru", "es")),
    "jms2014-priorities": ("E/2014/28", "https://undocs.org/{language}/E/2014/28", ("ar", "zh", "en", "fr", "ru", "es")),
    "ungass2016": ("A/RES/S-30/1", "https://undocs.org/{language}/A/RES/S-30/1", ("ar", "zh", "en", "fr", "ru", "es")),
    "sofia2018": ("ST 10482/18", "https://data.consilium.europa.eu/doc/document/ST-10482-2018-INIT/{language}/pdf",
                  ("en", "fr", "es")),
}


def official_text_url(document: str, language: str) -> tuple[str, str] | None:
    """(URL, language of that text) of a document's official text, in ``language`` where it is
    published in it, else in English; None where no address is known."""
    known = OFFICIAL_TEXTS.get(document)
    if known is None:
        return None
    _symbol, pattern, languages = known
    language = language if language in languages else "en"
    return pattern.format(language=language), language


class RegisterError(Exception):
    """Bad input to the register build; the message names file and line."""


@dataclass
class Entry:
    """A parsed record before classification, with where it came from."""

    fields: Record
    file: str
    line: int

    @property
    def where(self) -> str:
        return f"{self.file}:{self.line}"


@dataclass
class Parsed:
    """A parser's result: its records and what every source line was used for.

    ``ledger`` maps a line number to ``(kind, detail)``; kind is ``record``,
    ``heading``, ``skip`` or ``blank``.
    """

    entries: list[Entry] = field(default_factory=list)
    ledger: dict[int, tuple[str, str]] = field(default_factory=dict)
