"""Proposals for grouping commitments into policy questions, from text similarity.

People review ``questions.yaml``; this module only proposes. Restatements of one
sentence in several documents score near 100; commitments on one theme in
related words score in the 50s and 60s. Scores are rapidfuzz's token-set ratio
over the full texts (case and punctuation ignored), so word order and the
insertions typical of restatements ("Also underscore the need to…") matter little.
"""
from collections import defaultdict
from dataclasses import dataclass

from rapidfuzz import fuzz, process, utils

DEFAULT_THRESHOLD = 65


@dataclass(frozen=True)
class Home:
    question: str
    score: float
    closest: str  # the covered commitment most like the one being placed


def _asked(records: list[dict]) -> list[dict]:
    return [record for record in records
            if "member_states" in record["addressees"] and record.get("kind", "commitment") == "commitment"]


def similar_groups(records: list[dict], threshold: float = DEFAULT_THRESHOLD) -> list[list[dict]]:
    """Groups of Member-State commitments of one UNGASS chapter (any document) whose texts are alike
    (each scores at least ``threshold`` with its group's first member); groups of one are left out."""
    by_theme: dict[tuple, list[dict]] = defaultdict(list)
    for record in _asked(records):
        by_theme[record["chapter"]].append(record)
    groups = []
    for members in by_theme.values():
        # Leader clustering: each commitment joins the first group whose leader it is like, so a
        # group stays about one thing (a chain of pairwise likenesses would drift across themes).
        leaders: list[tuple[str, list[dict]]] = []
        for member in members:
            text = utils.default_process(member["text"])
            for leader, group in leaders:
                if fuzz.token_set_ratio(text, leader, score_cutoff=threshold):
                    group.append(member)
                    break
            else:
                leaders.append((text, [member]))
        groups += [group for _leader, group in leaders if len(group) > 1]
    return sorted(groups, key=lambda group: (group[0]["chapter"], group[0]["id"]))


def homes_for(record: dict, records: list[dict], covers: dict[str, tuple[str, ...]], limit: int = 3) -> list[Home]:
    """The questions (key → covered ids) whose commitments are most like ``record``, best first."""
    texts = {other["id"]: other["text"] for other in records}
    found = []
    for question, covered in covers.items():
        candidates = [cid for cid in covered if cid != record["id"] and cid in texts]
        if not candidates:
            continue
        best = process.extractOne(record["text"], {cid: texts[cid] for cid in candidates},
                                  scorer=fuzz.token_set_ratio, processor=utils.default_process)
        found.append(Home(question, best[1], best[2]))
    return sorted(found, key=lambda home: -home.score)[:limit]
