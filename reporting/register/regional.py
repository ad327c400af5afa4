"""Parsers for the regional sources: the Sofia declaration and the 2017 HONLEA recommendations.

Both are Markdown renderings. Sofia: numbered paragraphs opening with a bold
verb, under "On …" headings. HONLEA report: region headings ("A. … Europe"),
topic headings ("1. …", at whatever Markdown level the rendering gave them),
a numbered chapeau per topic and lettered recommendations; page breaks cut
some recommendations in two.
"""
import re

from reporting.register import markup
from reporting.register.model import Entry, Parsed, RegisterError

SOFIA_FILE = "sofia-declaration-2018.txt"
HONLEA_FILE = "subsidiary-bodies-recommendations-2017.txt"

SOFIA_PARAGRAPH = re.compile(r"(\d+)\. (\*\*.+)")
SOFIA_HEADING = re.compile(r"On [a-z]")

MD_HEADING = re.compile(r"#{1,6} +(.+)|\*\*(.+)\*\*")
REGION_HEADING = re.compile(r"[A-E]\. .+")
TOPIC_HEADING = re.compile(r"\d+\. .+")
CHAPEAU = re.compile(r"(\d+)\. .+:")
RECOMMENDATION = re.compile(r"\(([a-z])\) (.+)")
# Region key by the words that end (or close) the meeting's name.
REGIONS = {
    "Europe": "europe",
    "Africa": "africa",
    "Latin America and the Caribbean": "latin_america_caribbean",
    "Asia and the Pacific": "asia_pacific",
    "Near and Middle East": "near_middle_east",
}


def parse_sofia(lines: list[str], skips: dict[int, str]) -> Parsed:
    """One record per numbered paragraph; an unnumbered paragraph continues the one above it."""
    parsed, heading, current = Parsed(), None, None
    paragraphs: list[dict] = []  # label, raw text, line, path
    for number, line in enumerate(lines, 1):
        line = line.strip()
        if number in skips:
            parsed.ledger[number] = ("skip", skips[number])
            current = None
        elif not line:
            parsed.ledger[number] = ("blank", "")
        elif match := SOFIA_PARAGRAPH.fullmatch(line):
            if heading is None:
                raise RegisterError(f"{SOFIA_FILE}:{number}: paragraph before any \"On …\" heading")
            current = {"label": match.group(1), "raw": match.group(2), "line": number, "path": [heading]}
            paragraphs.append(current)
            parsed.ledger[number] = ("record", f"sofia2018.{match.group(1)}")
        elif SOFIA_HEADING.match(line) and not line.endswith("."):
            heading, current = markup.plain(line), None
            parsed.ledger[number] = ("heading", heading)
        elif current is not None:
            current["raw"] += f" {line}"
            parsed.ledger[number] = ("record", f"sofia2018.{current['label']}")
        else:
            raise RegisterError(f"{SOFIA_FILE}:{number}: text outside any numbered paragraph")
    for paragraph in paragraphs:
        raw = paragraph["raw"]
        # Sofia prints its operative verbs in capitals ("WE COMMIT"); keep them in sentence case.
        fields = {"id": f"sofia2018.{paragraph['label']}", "document": "sofia2018",
                  "path": paragraph["path"], "label": paragraph["label"], "text": markup.plain(raw),
                  "verbs": [verb.capitalize() for verb in markup.verbs(raw)], "target": None}
        parsed.entries.append(Entry(fields, SOFIA_FILE, paragraph["line"]))
    return parsed


def parse_honlea(lines: list[str], skips: dict[int, str]) -> Parsed:
    """One record per lettered recommendation; the region's key goes into the id."""
    parsed = Parsed()
    path: list[str] = []  # [part, meeting, topic]
    region = paragraph = current = None
    for number, line in enumerate(lines, 1):
        line = line.strip()
        heading = MD_HEADING.fullmatch(line)
        if number in skips:
            parsed.ledger[number] = ("skip", skips[number])
            current = None
        elif not line:
            parsed.ledger[number] = ("blank", "")
        elif heading:
            text = markup.plain(heading.group(1) or heading.group(2))
            if REGION_HEADING.fullmatch(text):
                region = next((key for words, key in REGIONS.items() if words in text), None)
                if region is None:
                    raise RegisterError(f"{HONLEA_FILE}:{number}: meeting heading names no known region")
                path = path[:1] + [text]
            elif TOPIC_HEADING.fullmatch(text) and region:
                path = path[:2] + [text]
            else:
                path, region = [text], None
            paragraph = current = None
            parsed.ledger[number] = ("heading", " / ".join(path))
        elif (match := CHAPEAU.fullmatch(line)) and len(path) == 3:
            paragraph, current = match.group(1), None
            parsed.ledger[number] = ("heading", f"chapeau of paragraph {paragraph}")
        elif (match := RECOMMENDATION.fullmatch(line)) and paragraph:
            letter = match.group(1)
            current = {"id": f"honlea2017.{region}.{paragraph}.{letter}", "document": "honlea2017",
                       "path": list(path), "label": f"({letter})", "text": match.group(2),
                       "verbs": [], "target": None}
            parsed.entries.append(Entry(current, HONLEA_FILE, number))
            parsed.ledger[number] = ("record", current["id"])
        elif current is not None:  # a page break cut this recommendation in two
            current["text"] += f" {line}"
            parsed.ledger[number] = ("record", current["id"])
        else:
            raise RegisterError(f"{HONLEA_FILE}:{number}: unparseable line (not a heading, "
                                "chapeau or lettered recommendation)")
    for entry in parsed.entries:
        entry.fields["text"] = markup.plain(entry.fields["text"])
    return parsed
