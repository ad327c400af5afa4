"""The classification rules: pillar, UNGASS chapter, addressees and scope of a record.

All rules are here. Structure decides first (Plan of Action Part, JMS
section, UNGASS chapter, Sofia and HONLEA headings); paragraphs with no
thematic structure (Political Declaration, JMS 2014, UNGASS preamble) go by
topic keywords. What the rules get wrong is corrected, with a reason, in
``overrides.yaml``.
"""
import re

from reporting.register.model import Entry, RegisterError

DR, SR, IC = "demand_reduction", "supply_reduction", "international_cooperation"

# Canonical addressee keys, in the order they are listed in a record.
ADDRESSEES = {
    "member_states": "Member States: the 'we' of the declarations, 'Member States should', 'Governments'",
    "unodc": "United Nations Office on Drugs and Crime",
    "incb": "International Narcotics Control Board",
    "cnd": "Commission on Narcotic Drugs",
    "who": "World Health Organization",
    "unaids": "Joint United Nations Programme on HIV/AIDS",
    "undp": "United Nations Development Programme",
    "ecosoc": "Economic and Social Council",
    "general_assembly": "General Assembly",
    "un_entities": "other United Nations entities, organizations, agencies and bodies",
    "international_organizations": "international, regional and intergovernmental organizations and agencies",
    "international_financial_institutions": "international financial institutions and development organizations",
    "development_partners": "development partners and the development community",
    "international_community": "the international community",
    "civil_society": "civil society and non-governmental organizations",
    "private_sector": "the private sector and industry",
    "eu": "the European Union, as a party to the EU-CELAC mechanism",
    "celac": "CELAC, as a party to the EU-CELAC mechanism",
}
REGIONS = ("europe", "africa", "latin_america_caribbean", "asia_pacific", "near_middle_east")
SCOPES = ("global", "eu", "celac", *REGIONS)

# Names of actors as the sources write them (acronyms case-sensitive).
ACTORS = (
    (r"United Nations Office on Drugs and Crime|\bUNODC\b|\bthe Office\b", "unodc"),
    (r"International Narcotics Control Board|\bINCB\b|\bthe Board\b", "incb"),
    (r"Commission on Narcotic Drugs|\bCND\b|\bthe Commission\b", "cnd"),
    (r"World Health Organization|\bWHO\b", "who"),
    (r"Joint United Nations Programme on HIV/AIDS|\bUNAIDS\b", "unaids"),
    (r"United Nations Development Programme|\bUNDP\b", "undp"),
    (r"Economic and Social Council", "ecosoc"),
    (r"General Assembly", "general_assembly"),
    (r"United Nations (?:entities|organizations|bodies|agencies)|\bUN bodies\b", "un_entities"),
    (r"(?:international|regional|intergovernmental) (?:agencies|organizations)", "international_organizations"),
    (r"financial institutions|development organizations", "international_financial_institutions"),
    (r"development partners|development community", "development_partners"),
    (r"international community", "international_community"),
    (r"civil society|non-governmental organizations", "civil_society"),
    (r"private sector", "private_sector"),
    (r"Member States|\bStates\b|Governments?\b", "member_states"),
)
# Who is asked to act: the words after a request, up to its infinitive.
REQUEST = re.compile(r"\b(?:request|encourage|call upon|call on|urge|invite|recommend that|ensure that|"
                     r"cooperation between|support efforts by|the need for)s? (.{0,300}?)(?= to |[;:]|$)",
                     re.IGNORECASE)
# Partners named inside that span are not asked to act.
PARTNERS = re.compile(r"\b(?:in cooperation|in collaboration|together with|with|within|including|through|"
                      r"as appropriate)\b.*")
# HONLEA recommendations name who acts in their subject.
SUBJECT = re.compile(r"(.*?) (?:should|must|are|is) (?:be )?(?:encouraged|urged|invited|requested)?")

POA_PILLARS = {"I": DR, "II": SR, "III": IC}
POA_CHAPTERS = (  # Plan of Action 2009 section -> UNGASS chapter; default 1 in Part I, 3 after
    ("Human rights, dignity", 4),
    ("Targeting vulnerable groups", 4),
    ("criminal justice system", 4),
    ("C. Control of precursors", 5),
    ("D. International cooperation on eradicating", 7),
)
JMS_SECTIONS = {"A": (DR, 1), "B": (SR, 3), "C": (IC, 3)}  # section -> pillar, default chapter
UNGASS_PILLARS = {1: DR, 2: DR, 3: SR, 4: DR, 5: SR, 6: IC, 7: SR}
SOFIA_SECTIONS = (
    ("bi-regional cooperation", IC, 6),
    ("demand reduction", DR, 1),
    ("availability of and access", DR, 2),
    ("supply reduction", SR, 3),
    ("human rights", DR, 4),
    ("proportionate", SR, 4),
    ("cross-cutting", SR, 5),
    ("international cooperation", IC, 6),
    ("alternative development", SR, 7),
)
HONLEA_TOPICS = (
    ("Internet", SR, 5),
    ("Alternatives to imprisonment", DR, 4),
    ("gender", DR, 4),
    ("women and girls", DR, 4),
    ("money-laundering", IC, 3),
    ("communication platforms", SR, 3),
    ("new psychoactive substances", SR, 5),
    ("precursors", SR, 5),
    ("border", SR, 3),
    ("criminal intelligence", SR, 3),
    ("Prevention of drug use", DR, 1),
    ("children and young people", DR, 4),
    ("children and youth", DR, 4),
)
# Paragraphs without thematic headings: first matching topic wins.
TOPICS = (
    (r"money-laundering|judicial cooperation", IC, 3),
    (r"alternative development|illicit cultivation|illicit crop", SR, 7),
    (r"amphetamine-type|new psychoactive|precursor", SR, 5),
    (r"medical and scientific purposes", DR, 2),
    (r"\bHIV\b|hepatitis|demand reduction|drug abuse|health", DR, 1),
    (r"trafficking|organized crime|law enforcement", SR, 3),
    (r"human rights|gender|civil society", DR, 4),
)


# A paragraph that opens by reaffirming, recognizing, noting or welcoming is
# declaratory unless a later clause asks for something (commit, decide, call
# upon, encourage, a stated need...). The sub-items a chapeau introduces are
# what is asked, so a chapeau is declaratory too.
DECLARATORY_OPENING = re.compile(
    r"^(?:we,? |WE )?(?:also )?(?:reaffirm|recognize|note|take note|welcome|acknowledge|are (?:fully )?aware|"
    r"express concern|identify the following|underlining|[^;]{0,120}? are assembled)", re.IGNORECASE)
OPERATIVE_CLAUSE = re.compile(
    r"\b(?:need|commit|resolve|decide|undertake|call|urge|invite|encourage|recommend|willingness|intention|"
    r"will\b|agree to)", re.IGNORECASE)


def record_kind(record: dict, has_sub_items: bool) -> str:
    """``declaratory`` or ``commitment`` by the rules above (see ``model.KINDS``)."""
    text = record["text"]
    if has_sub_items or (DECLARATORY_OPENING.match(text) and not OPERATIVE_CLAUSE.search(text)):
        return "declaratory"
    return "commitment"


def classify(entry: Entry) -> dict:
    """``addressees``, ``pillar``, ``chapter`` and ``scope`` of a parsed record by the rules."""
    fields = entry.fields
    pillar, chapter = _theme(fields, entry.where)
    return {"addressees": _addressees(fields), "pillar": pillar, "chapter": chapter,
            "scope": _scope(fields)}


def _theme(fields: dict, where: str) -> tuple[str, int]:
    document, path, parts = fields["document"], fields["path"], fields["id"].split(".")
    if document == "poa2009":
        default = 1 if parts[1] == "I" else 3
        chapter = next((ch for words, ch in POA_CHAPTERS if any(words in h for h in path)), default)
        return POA_PILLARS[parts[1]], chapter
    if document == "jms2014-priorities":  # pillar by section, chapter by topic
        section = JMS_SECTIONS.get(path[0][:1] if path else "")
        if section is None:
            raise RegisterError(f"{where}: not under a section A, B or C")
        return section[0], (_topic(fields["text"]) or section)[1]
    if document == "ungass2016" and parts[1].isdigit() and int(parts[1]) in UNGASS_PILLARS:
        return UNGASS_PILLARS[int(parts[1])], int(parts[1])
    if document in ("sofia2018", "honlea2017"):
        heading, table = (path[0], SOFIA_SECTIONS) if document == "sofia2018" else (path[-1], HONLEA_TOPICS)
        for words, pillar, chapter in table:
            if words.lower() in heading.lower():
                return pillar, chapter
        raise RegisterError(f"{where}: no classification rule for the heading {heading!r}")
    return _topic(fields["text"]) or (IC, 6)


def _topic(text: str) -> tuple[str, int] | None:
    return next(((pillar, chapter) for pattern, pillar, chapter in TOPICS
                 if re.search(pattern, text, re.IGNORECASE)), None)


def _addressees(fields: dict) -> list[str]:
    """Member States, plus every actor a record asks to act; for HONLEA, the actors in its subject."""
    text = fields["text"]
    if fields["document"] == "honlea2017":
        subject = SUBJECT.match(text)
        found = (_actors(subject.group(1)) if subject else set()) or {"member_states"}
    else:
        found = {"member_states"}.union(*(_actors(PARTNERS.sub("", match.group(1)))
                                          for match in REQUEST.finditer(text)))
    return [key for key in ADDRESSEES if key in found]


def _actors(span: str) -> set[str]:
    return {key for pattern, key in ACTORS if re.search(pattern, span)}


def _scope(fields: dict) -> list[str]:
    if fields["document"] == "sofia2018":
        return ["eu", "celac"]
    if fields["document"] == "honlea2017":
        return [fields["id"].split(".")[1]]
    return ["global"]
