"""Parser for the chart of commitments (annex of the CND 2023 conference room paper).

The annex is a two-column table rendered as ``label<TAB>text`` rows, one
document after another, with the irregularities of a real document: rows cut
by page breaks (a row whose first cell is empty continues the previous row,
sometimes after footnote lines), headings combined in one cell or carrying a
stray number, typo labels, an action without a number, a sentence without a
label, lettered sub-items inside a paragraph. Everything here is a rule; what
a rule cannot decide is in ``overrides.yaml``.
"""
import re
from dataclasses import dataclass

from reporting.register import markup
from reporting.register.model import Entry, Parsed, RegisterError

FILE = "commitments-compilation-2023.txt"
ANNEX = "## ANNEX"

# Bold Markdown titles that open a document, by their first words.
DOCUMENT_TITLES = (
    ("Political Declaration of 2009", "pd2009"),
    ("Plan of Action of 2009", "poa2009"),
    ("Joint Ministerial Statement 2014", "jms2014"),
    # The chart calls the JMS list of challenges and priorities a "Plan of Action of 2014".
    ("Plan of Action of 2014", "jms2014-priorities"),
    ("Outcome document of the 2016", "ungass2016"),
)

PARAGRAPH = re.compile(r"(\d+)\.")
PREAMBULAR = re.compile(r"PP(\d+)")
ITEM = re.compile(r"(\()?([a-z])\)")  # "(a)", and the typo "a)"
ACTION_ROW = re.compile(r"<b>Action (\d+)\.</b>")
ACTION_HEADING = re.compile(r"Action (\d+)\. Member States should:")
UNNUMBERED_ACTION = re.compile(r"(?!Action )(.+)\. (Member States should:)")
STRAY_NUMBER = re.compile(r"^\d+ (?=Part [IVX]+\.|[A-Z]\. )")
PART = re.compile(r"Part ([IVX]+)\.")
FOOTNOTE_TEXT = re.compile(r"<sup>\d+</sup> ")
HEADING_CELL = re.compile(r"(?:<p>)?<b>[^<]*</b>(?:</p>)?(?:\s*<p><b>[^<]*</b></p>)*")
INLINE_ITEM = re.compile(r"\s\(([a-z])\)\s")


@dataclass
class _Row:
    label: str
    text: str
    lines: list[int]

    @property
    def where(self) -> str:
        return f"{FILE}:{self.lines[0]}"


def parse_compilation(lines: list[str], skips: dict[int, str]) -> Parsed:
    """Records of the five documents charted in the annex, in document order."""
    parsed = Parsed()
    items = _items(lines, skips, parsed.ledger)
    _Interpreter(parsed, items).run()
    return parsed


def _items(lines: list[str], skips: dict[int, str], ledger: dict) -> list:
    """Group physical lines into titles and rows; continuation rows are joined here."""
    items: list = []
    title: list[str] = []
    annex = False
    for number, line in enumerate(lines, 1):
        if number in skips:
            ledger[number] = ("skip", skips[number])
        elif not line.strip():
            ledger[number] = ("blank", "")
        elif not annex:
            if line.strip() != ANNEX:
                raise RegisterError(f"{FILE}:{number}: text before the annex that is not on the skip list")
            annex = True
            ledger[number] = ("heading", "annex")
        elif title or line.startswith("**"):
            title.append(line.strip().strip("*"))
            ledger[number] = ("heading", "title")
            if line.rstrip().endswith("**") and line.strip() != "**":
                items.append(("title", markup.normalise(" ".join(title)), number))
                title = []
        elif FOOTNOTE_TEXT.match(line):
            ledger[number] = ("skip", "footnote text; its mark is dropped from the record")
        elif "\t" in line:
            label, text = (cell.strip() for cell in line.split("\t", 1))
            if label:
                items.append(_Row(label, text, [number]))
            elif items and isinstance(items[-1], _Row) and items[-1].text:
                items[-1].text = markup.join_continuation(items[-1].text, text)
                items[-1].lines.append(number)
            else:
                raise RegisterError(f"{FILE}:{number}: continuation row with no row to continue")
        else:
            raise RegisterError(f"{FILE}:{number}: unparseable line (not a row, title or footnote)")
    if title:
        raise RegisterError(f"{FILE}:{len(lines)}: bold title is never closed")
    return items


class _Interpreter:
    """Walks titles and rows, keeping the heading path and the current parent."""

    def __init__(self, parsed: Parsed, items: list):
        self.parsed, self.items = parsed, items
        self.document: str | None = None
        self.path: list[tuple[int, str]] = []
        self.part = "I"
        self.parent: str | None = None
        self.last_number: dict[str, int] = {}

    def run(self) -> None:
        for index, item in enumerate(self.items):
            if isinstance(item, _Row):
                self._row(index, item)
            else:
                self._title(*item[1:])

    # -- titles and headings ------------------------------------------------

    def _title(self, text: str, line: int) -> None:
        for prefix, key in DOCUMENT_TITLES:
            if text.startswith(prefix):
                self.document, self.path, self.parent, self.last_number = key, [], None, {}
                self.part = "I"  # the chart prints no "Part I" heading
                return
        if self.document is None:
            raise RegisterError(f"{FILE}:{line}: title {text!r} names no known document")
        self._push(0, text)
        self.parent = None

    def _push(self, level: int, text: str) -> None:
        self.path = [(lvl, heading) for lvl, heading in self.path if lvl < level] + [(level, text)]

    def _heading_cell(self, index: int, row: _Row) -> None:
        for part in re.split(r"</p>\s*<p>", row.label):
            heading = markup.plain(part)
            heading = STRAY_NUMBER.sub("", heading, count=1)  # "27 Part II.", "52 F."
            heading = re.sub(r" Problem$", "", heading)  # the PoA's "Problem" subheading, run on
            combined = UNNUMBERED_ACTION.fullmatch(heading)
            if combined:  # "Human rights, ... reduction. Member States should:"
                self._push(3, combined.group(1))
                heading = f"Action {self._unnumbered_action(index, row)}. {combined.group(2)}"
            action = ACTION_HEADING.fullmatch(heading)
            if action:
                self._action(int(action.group(1)), row)
            else:
                part_match = PART.match(heading)
                if part_match:
                    self.part = part_match.group(1)
                if _level(heading) < 3 or heading[0].isdigit():
                    self.parent = None  # a plain subheading inside a paragraph keeps its parent
            self._push(_level(heading), heading)
        for line in row.lines:
            self.parsed.ledger[line] = ("heading", " / ".join(text for _, text in self.path))

    def _unnumbered_action(self, index: int, row: _Row) -> int:
        """An action printed without its number takes the one between its neighbours."""
        previous = self.last_number.get("action", 0)
        following = next((int(match.group(1)) for item in self.items[index + 1:]
                          if isinstance(item, _Row) and (match := re.search(r"Action (\d+)\.", item.label))),
                         None)
        number = previous + 2  # the Plan of Action numbers a problem and its action in pairs
        if following is not None and not previous < number < following:
            raise RegisterError(f"{row.where}: cannot number the unnumbered action between "
                                f"Action {previous} and Action {following}")
        return number

    def _action(self, number: int, row: _Row) -> None:
        self._check_order("action", number, row)
        self.parent = f"{self.document}.{self.part}.{number}"

    # -- rows -----------------------------------------------------------------

    def _row(self, index: int, row: _Row) -> None:
        if self.document is None:
            raise RegisterError(f"{row.where}: row before any document title")
        label, text = row.label, row.text
        if not text and HEADING_CELL.fullmatch(label):
            self._heading_cell(index, row)
        elif match := ACTION_ROW.fullmatch(label):
            number = int(match.group(1))
            self._action(number, row)
            self.path = [(lvl, heading) for lvl, heading in self.path if lvl < 4]
            self._record(self.parent, f"Action {number}", text, row)
        elif match := PARAGRAPH.fullmatch(label):
            self._paragraph(f"{self.document}.{match.group(1)}", match.group(1), row)
        elif match := PREAMBULAR.fullmatch(label):
            self._paragraph(f"{self.document}.pp{match.group(1)}", f"PP{match.group(1)}", row,
                            counter="pp")
        elif match := ITEM.fullmatch(label):
            if self.parent is None:
                raise RegisterError(f"{row.where}: sub-item {label} with no paragraph or action above it")
            self._record(f"{self.parent}.{match.group(2)}", f"({match.group(2)})", text, row)
        elif not text and "<b>" in label and not label.startswith(("<b>", "<p>")):
            # A commitment printed without a label, its text in the label cell.
            if self.parent is None:
                raise RegisterError(f"{row.where}: unlabelled paragraph with no paragraph above it")
            self._record(f"{self.parent}.intro", "", label, row)
        else:
            raise RegisterError(f"{row.where}: unparseable row (label cell {label[:60]!r})")

    def _paragraph(self, record_id: str, label: str, row: _Row, counter: str = "paragraph") -> None:
        self._check_order(counter, int(re.sub(r"\D", "", label)), row)
        self.parent = record_id
        chapeau, items = _inline_items(row.text)
        self._record(record_id, label, chapeau, row)
        for letter, text in items:
            self._record(f"{record_id}.{letter}", f"({letter})", text, row)

    def _check_order(self, counter: str, number: int, row: _Row) -> None:
        previous = self.last_number.get(counter, 0)
        if number <= previous:
            raise RegisterError(f"{row.where}: numbering goes back from {previous} to {number} "
                                f"within {self.document} (a document title is missing?)")
        self.last_number[counter] = number

    def _record(self, record_id: str, label: str, raw: str, row: _Row) -> None:
        text = markup.plain(raw)
        if not text:
            raise RegisterError(f"{row.where}: {label or 'row'} has no text")
        fields = {
            "id": record_id,
            "document": self.document,
            "path": [heading for _, heading in self.path],
            "label": label,
            "text": text,
            "verbs": markup.verbs(raw),
            "target": markup.target(raw),
        }
        self.parsed.entries.append(Entry(fields, FILE, row.lines[0]))
        for line in row.lines:  # a line may hold several records (inline sub-items)
            earlier = self.parsed.ledger.get(line, ("record", ""))[1]
            self.parsed.ledger[line] = ("record", f"{earlier} {record_id}".strip())


def _level(heading: str) -> int:
    """Depth of a heading, from its numbering style (the chart has no other signal)."""
    if PART.match(heading):
        return 1
    if re.match(r"[A-Z]\. |Operational recommendations on ", heading):
        return 2
    if ACTION_HEADING.fullmatch(heading):
        return 4
    return 3


def _inline_items(raw: str) -> tuple[str, list[tuple[str, str]]]:
    """Split "chapeau: (a) ...; (b) ..." written in one cell into the chapeau and its sub-items."""
    parts = INLINE_ITEM.split(raw)
    letters = parts[1::2]
    if not letters or letters != [chr(ord("a") + i) for i in range(len(letters))]:
        return raw, []
    return parts[0], list(zip(letters, parts[2::2]))
