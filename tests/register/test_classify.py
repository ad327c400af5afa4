"""Classification: pillars, chapters, addressees, scope and titles of the real register."""
from reporting.register.classify import ADDRESSEES, SCOPES
from reporting.register.model import FIELDS, PILLARS

PART_PILLARS = {"I": "demand_reduction", "II": "supply_reduction", "III": "international_cooperation"}


def test_every_record_has_the_fields_in_order(records):
    for record in records.values():
        assert tuple(record) == FIELDS


def test_field_values_are_in_their_vocabularies(records):
    for record in records.values():
        assert record["pillar"] in PILLARS
        assert record["chapter"] in range(1, 8)
        assert record["addressees"] and set(record["addressees"]) <= set(ADDRESSEES)
        assert record["addressees"] == [key for key in ADDRESSEES if key in record["addressees"]]
        assert record["scope"] and set(record["scope"]) <= set(SCOPES)


def test_every_plan_of_action_item_is_in_its_parts_pillar(records):
    items = [record for record in records.values() if record["document"] == "poa2009"]
    assert len(items) == 203
    for record in items:
        assert record["pillar"] == PART_PILLARS[record["id"].split(".")[1]], record["id"]


def test_ungass_operational_chapters_follow_their_paragraph(records):
    for record in records.values():
        parts = record["id"].split(".")
        if record["document"] == "ungass2016" and parts[1] in "1234567":
            assert record["chapter"] == int(parts[1]), record["id"]


def test_chapter_cross_walk_samples(records):
    assert records["poa2009.I.16.a"]["chapter"] == 4  # criminal justice system -> human rights chapter
    assert records["poa2009.II.41.b"]["chapter"] == 5  # precursors
    assert records["poa2009.II.47.a"]["chapter"] == 7  # alternative development
    assert records["jms2014-priorities.13"]["chapter"] == 5  # new psychoactive substances, by topic
    assert records["jms2014-priorities.14"]["chapter"] == 2  # availability of controlled medicines
    assert (records["pd2009.19"]["pillar"], records["pd2009.19"]["chapter"]) == ("demand_reduction", 2)
    assert (records["sofia2018.44"]["pillar"], records["sofia2018.44"]["chapter"]) == ("supply_reduction", 7)
    assert (records["honlea2017.europe.9.a"]["pillar"], records["honlea2017.europe.9.a"]["chapter"]) == (
        "international_cooperation", 3)


def test_addressees(records):
    assert records["poa2009.III.56.e"]["addressees"] == ["member_states", "unodc"]  # "Request the UNODC ... to"
    assert records["pd2009.19"]["addressees"] == ["member_states", "incb", "who"]  # cooperation between
    assert records["ungass2016.2.b"]["addressees"] == ["member_states"]  # "in cooperation with" is a partner
    assert records["ungass2016.1.r"]["addressees"] == ["unodc", "incb"]  # override: only they act
    assert records["pd2009.15"]["addressees"] == ["cnd"]
    assert records["honlea2017.africa.13.g"]["addressees"] == ["member_states", "international_community"]
    assert records["honlea2017.africa.11.e"]["addressees"] == ["member_states"]  # passive, no actor named
    assert records["sofia2018.46"]["addressees"] == ["eu", "celac"]


def test_most_records_are_member_state_commitments(records):
    member_states = [record for record in records.values() if "member_states" in record["addressees"]]
    assert len(member_states) == len(records) - 8


def test_scope(records):
    assert {tuple(r["scope"]) for r in records.values() if r["document"] in ("pd2009", "poa2009", "ungass2016")} \
        == {("global",)}
    assert records["honlea2017.asia_pacific.19.a"]["scope"] == ["asia_pacific"]


def test_titles_are_short_and_unique_enough(records):
    titles = [record["title"] for record in records.values()]
    assert all(0 < len(title.split()) <= 12 for title in titles)
    assert all(not title.endswith(".") for title in titles)
    assert len(set(titles)) > 0.95 * len(titles)
    assert records["sofia2018.8"]["title"] == "Review and improve the Annual Report Questionnaire in light of UNGASS"
