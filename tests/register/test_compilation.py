"""The chart parser, on the real annex: samples of every document and every irregularity."""
import pytest

PART_III = "Part III. Countering money-laundering and promoting judicial cooperation to enhance international cooperation"
OPERATIONAL_3 = ("Operational recommendations on supply reduction and related measures; effective law "
                 "enforcement; responses to drug-related crime; and countering money-laundering and "
                 "promoting judicial cooperation")


def test_political_declaration_paragraph(records):
    record = records["pd2009.14"]
    assert record["text"] == ("Decide to continue to raise public awareness of the risks and the threats posed "
                              "to all societies by the different aspects of the world drug problem;")
    assert record["label"] == "14"
    assert record["path"] == []
    assert record["verbs"] == ["Decide to continue to raise public awareness"]


def test_space_left_by_markup_before_punctuation_is_removed(records):
    # Source: "...financial situation of the Office</b> , stressing ..."
    assert "situation of the Office, stressing the need" in records["pd2009.17"]["text"]
    assert records["pd2009.17"]["verbs"] == [
        "reiterate our intention to continue to improve the governance and financial situation of the Office",
        "request the Office to continue its efforts to carry out all its mandates",
    ]


def test_sub_items_written_inside_one_cell_are_split(records):
    assert records["pd2009.36"]["text"] == ("Decide to establish 2019 as a target date for States to "
                                            "eliminate or reduce significantly and measurably:")
    assert records["pd2009.36.a"]["text"] == "The illicit cultivation of opium poppy, coca bush and cannabis plant;"
    assert records["pd2009.36.b"]["text"] == ("The illicit demand for narcotic drugs and psychotropic substances; "
                                              "and drug related health and social risks;")
    assert records["pd2009.36.e"]["text"] == "Money-laundering related to illicit drugs"
    assert [records[f"pd2009.36.{letter}"]["label"] for letter in "abcde"] == ["(a)", "(b)", "(c)", "(d)", "(e)"]
    assert records["pd2009.36.c"]["target"] == {"text": "2019 as a target date", "year": 2019}  # override


def test_plan_of_action_sub_item(records):
    record = records["poa2009.I.2.a"]
    assert record["text"] == (
        "Pursue a balanced and mutually reinforcing approach to supply and demand reduction, devoting more "
        "effort to the realization of demand reduction with a view to achieving proportionality of effort, "
        "resources and international cooperation in addressing drug abuse as a health and social issue, "
        "while upholding the law and its enforcement;")
    assert record["path"] == ["1. Enhancing international cooperation", "Action 2. Member States should:"]
    assert record["verbs"] == ["Pursue", "devoting more effort"]
    assert [key for key in records if key.startswith("poa2009.I.2.")] == [f"poa2009.I.2.{c}" for c in "abcdefgh"]


def test_continuation_row_after_a_page_break_is_joined(records):
    text = records["poa2009.I.10.c"]["text"]
    assert text.startswith("Continue to comply with the procedures established under the international drug "
                           "control conventions and relevant resolutions of the Economic and Social Council "
                           "relating to the submission to the International Narcotics Control Board of estimates")
    assert text.endswith("the World Health Organization Model List of Essential Medicines.")


def test_continuation_across_footnote_lines(records):
    assert records["ungass2016.3.r"]["text"] == (
        "Enhance national, regional, subregional, interregional and international capacity to prevent and "
        "counter money-laundering and illicit financial flows stemming from drug trafficking and related "
        "crimes, including, as appropriate, through detection, investigation and prosecution of such "
        "activities, with a view to effectively addressing safe havens, and identify and mitigate "
        "money-laundering risks linked to new technologies, as well as emerging money-laundering methods and "
        "techniques, by using, inter alia, existing United Nations Office on Drugs and Crime technical "
        "assistance tools;")
    assert "potential uses of new psychoactive substances for medical" in records["ungass2016.5.d"]["text"]
    assert not any("Treaty Series" in record["text"] or "Resolution 65/229" in record["text"]
                   for record in records.values())


def test_bold_span_cut_by_a_page_break_is_one_verb(records):
    assert records["poa2009.II.32.d"]["verbs"] == ["Take further measures to advance", "to ensure the"]
    assert records["ungass2016.1.j"]["verbs"] == ["Encourage", "develop and implement", "take measures"]
    assert records["jms2014-priorities.30"]["verbs"] == ["to work more closely", "to adopt the concept of industry"]


def test_footnote_marks_are_dropped(records):
    assert records["jms2014.2"]["text"].startswith(
        "Underscore that the Single Convention on Narcotic Drugs of 1961 as amended by the 1972 Protocol, "
        "the Convention on Psychotropic Substances of 1971,")
    assert records["ungass2016.4.g"]["text"].endswith(
        "implement the Convention on the Elimination of All Forms of Discrimination against Women;")
    assert "the Protocols thereto, the United Nations Convention against Corruption" in records["ungass2016.3.n"]["text"]
    assert not any("<" in record["text"] or "*" in record["text"] for record in records.values())


def test_unnumbered_action_takes_its_number_from_the_order(records):
    for letter in "abc":
        assert records[f"poa2009.I.6.{letter}"]["path"] == [
            "Human rights, dignity and fundamental freedoms in the context of drug demand reduction",
            "Action 6. Member States should:",
        ]
    assert records["poa2009.I.6.b"]["text"] == ("Promote meaningful livelihood activities and employment to instil "
                                                "a sense of purpose and self-esteem in individuals to steer them "
                                                "away from drugs;")


@pytest.mark.parametrize("record_id", ["poa2009.II.38.a", "ungass2016.2.b", "ungass2016.3.d"])
def test_typo_labels_are_normalised(records, record_id):
    assert records[record_id]["label"] == f"({record_id[-1]})"


def test_typo_label_sample_texts(records):
    assert records["ungass2016.3.d"]["text"] == (
        "Increase cooperation at all levels and enhance measures to prevent and significantly and measurably "
        "reduce or eliminate the illicit cultivation of opium poppy, coca bush and cannabis plant used for the "
        "production of narcotic drugs and psychotropic substances, including through eradication, within the "
        "framework of sustainable crop control strategies and measures")


def test_combined_and_stray_numbered_headings(records):
    assert records["poa2009.II.22.a"]["path"][:2] == ["Part II. Supply reduction and related measures:",
                                                      "B. Reducing the illicit supply of drugs."]
    assert records["poa2009.III.54.a"]["path"] == [PART_III, "F. Judicial cooperation",
                                                   "Action 54. Member States should:"]
    assert records["poa2009.III.56.a"]["path"] == [PART_III, "F. Judicial cooperation", "2. Mutual legal assistance",
                                                   "Action 56. Member States should:"]


def test_action_sentence_in_the_label_column_is_a_record(records):
    assert records["poa2009.III.62"]["label"] == "Action 62"
    assert records["poa2009.III.62"]["text"] == (
        "Member States should take appropriate measures, within their means, including adopting, where they "
        "have not yet done so, legislation, rules and practical measures that provide for the protection of "
        "witnesses before, during and after trial and that allow, where appropriate, the implementation of "
        "measures consistent with those set out in the Organized Crime Convention, which should be used to the "
        "fullest extent possible, as it includes state-of-the-art measures in this area.")
    assert records["poa2009.III.51"]["path"] == [PART_III, "E. Countering money-laundering"]
    assert records["poa2009.III.51.d"]["path"] == [PART_III, "E. Countering money-laundering"]


def test_p_separated_sub_items_stay_in_their_lettered_item(records):
    text = records["poa2009.III.51.b"]["text"]
    assert text.startswith("Establishing new or strengthening existing financial and regulatory regimes for banks "
                           "and non-bank financial institutions, including natural and legal persons providing "
                           "formal or informal financial services, thus preserving")
    assert "through, inter alia: (i) Customer identification and verification requirements" in text
    assert text.endswith("(vii) The introduction of measures to keep centralized statistical data on legal "
                         "action taken to counter money-laundering;")


def test_joint_ministerial_statement_and_its_restarted_numbering(records):
    assert records["jms2014.33"]["text"] == ("Identify the following achievements, challenges and priorities for "
                                             "further action in the implementation of the Political Declaration "
                                             "and Plan of Action:")
    jms = [key for key in records if key.startswith("jms2014.")]
    assert jms[0] == "jms2014.1" and jms[-1] == "jms2014.33" and len(jms) == 17
    assert records["jms2014-priorities.8"]["text"] == (
        "Reaffirm the need to further strengthen public health systems, particularly in the areas of prevention, "
        "treatment and rehabilitation, as part of a comprehensive and balanced approach to demand reduction "
        "based on scientific evidence;")
    priorities = records["jms2014-priorities.6"]
    assert priorities["document"] == "jms2014-priorities"
    assert priorities["path"] == ["A. Demand reduction and related measures", "Challenges and priorities for action"]
    assert records["jms2014-priorities.41"]["path"][1] == "Challenges and priorities"


def test_preambular_paragraph(records):
    record = records["ungass2016.pp19"]
    assert record["label"] == "PP19"
    assert record["text"] == (
        "We recognize that civil society, as well as the scientific community and academia, plays an important "
        "role in addressing and countering the world drug problem, and note that affected populations and "
        "representatives of civil society entities, where appropriate, should be enabled to play a "
        "participatory role in the formulation, implementation, and the providing of relevant scientific "
        "evidence in support of, as appropriate, the evaluation of drug control policies and programmes, and "
        "we recognize the importance of cooperation with the private sector in this regard;")
    assert record["verbs"] == ["should be enabled"]


def test_operational_recommendation_with_subheading(records):
    record = records["ungass2016.3.a"]
    assert record["path"] == ["Operational recommendations", OPERATIONAL_3, "Prevention of drug-related crime"]
    assert records["ungass2016.1.a"]["path"] == ["Operational recommendations"]  # chapter 1 heading not charted


def test_row_without_label(records):
    record = records["ungass2016.5.intro"]
    assert record["label"] == ""
    assert record["text"].startswith("We resolve to strengthen national and international action to address the "
                                     "emerging challenge of new psychoactive substances")
    assert record["text"].endswith("and we recommend the following measures:")
    assert record["path"][-1].startswith("Addressing new psychoactive substances, amphetamine-type stimulants")


def test_italic_titles_are_plain_text(records):
    assert records["ungass2016.5.s"]["text"] == (
        "Encourage the use of the Guidelines for Governments on Preventing the Illegal Sale of Internationally "
        "Controlled Substances through the Internet, as appropriate;")
    assert "taking due note of the Guide on Estimating Requirements for Substances under International Control, " \
           "and enhance" in records["ungass2016.2.f"]["text"]


def test_missing_sub_item_is_not_invented(records):
    assert "ungass2016.6.b" not in records
    assert {"ungass2016.6.a", "ungass2016.6.c", "ungass2016.6.d", "ungass2016.6.e"} <= set(records)


def test_last_line_of_the_file_is_read(records):
    assert records["ungass2016.9"]["text"].endswith("timely information on progress made in the implementation "
                                                    "of these recommendations")
    assert records["ungass2016.9"]["path"] == ["Operational recommendations"]  # override


def test_underlined_targets(records):
    assert records["poa2009.II.22.m"]["target"] == {
        "text": "that might be set by the international community beyond 2009", "year": 2009}
    assert records["poa2009.II.45.d"]["target"] == {"text": "Millennium Development Goals", "year": None}
    assert records["jms2014-priorities.11"]["target"] == {"text": "by 50 per cent by 2015", "year": 2015}
    assert records["pd2009.13"]["target"] is None
    assert records["ungass2016.pp24"]["target"] == {"text": "by 2030", "year": 2030}  # not underlined: override


def test_counts_per_document(records):
    counts = {}
    for record in records.values():
        counts[record["document"]] = counts.get(record["document"], 0) + 1
    assert counts == {"pd2009": 25, "poa2009": 203, "jms2014": 17, "jms2014-priorities": 29,
                      "ungass2016": 129, "sofia2018": 36, "honlea2017": 94}
