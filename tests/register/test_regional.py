"""The Sofia declaration and HONLEA parsers, on the real sources."""

SOFIA_CHAPTER_1 = ("On demand reduction and related measures, including prevention, and treatment as well "
                   "as other health-related issues")


def test_sofia_paragraph(records):
    record = records["sofia2018.8"]
    assert record["text"] == ("WE COMMIT ourselves to join efforts to review and improve the Annual Report "
                              "Questionnaire in light of the UNGASS recommendations.")
    assert record["verbs"] == ["We commit"]
    assert record["path"] == ["On bi-regional cooperation"]
    assert record["scope"] == ["eu", "celac"]
    assert record["addressees"] == ["member_states"]


def test_sofia_unnumbered_paragraph_continues_the_one_above(records):
    text = records["sofia2018.19"]["text"]
    assert text.startswith("WE SUPPORT the principle of equal access to public health services")
    assert text.endswith("We also encourage measures of prevention, vaccination, diagnosis and treatment of "
                         "viral hepatitis. We further agree to cooperate on and share and promote best practices, "
                         "research and scientific evidence-based programmes on prevention, early intervention, "
                         "treatment, and social reintegration and rehabilitation to better address the World "
                         "Drug Problem.")
    assert records["sofia2018.19"]["path"] == [SOFIA_CHAPTER_1]


def test_sofia_italics_and_two_verbs(records):
    assert "to, inter alia, enhance their capacities" in records["sofia2018.25"]["text"]
    assert records["sofia2018.17"]["verbs"] == ["We acknowledge", "We reaffirm"]


def test_sofia_preamble_and_declaratory_paragraphs_are_skipped(records):
    sofia = [key for key in records if key.startswith("sofia2018.")]
    assert sofia[0] == "sofia2018.5" and sofia[-1] == "sofia2018.46" and len(sofia) == 36
    assert "sofia2018.9" not in sofia and "sofia2018.40" not in sofia  # declaratory, on the skip list


def test_honlea_recommendation(records):
    record = records["honlea2017.europe.8.a"]
    assert record["path"] == ["II. Recommendations of the subsidiary bodies",
                              "A. Twelfth Meeting of Heads of National Drug Law Enforcement Agencies, Europe",
                              "3. Mainstreaming gender perspectives in drug-related policies and programmes"]
    assert record["label"] == "(a)"
    assert record["scope"] == ["europe"]
    assert record["verbs"] == [] and record["target"] is None


def test_honlea_recommendations_cut_by_page_breaks(records):
    assert records["honlea2017.africa.11.f"]["text"] == (
        "Legal frameworks established to deal with drug trafficking and transnational organized crime that "
        "contain provisions on information exchange, controlled deliveries and other law enforcement mechanisms "
        "should be harmonized among countries to enable further international cooperation in line with "
        "existing international legal frameworks;")
    assert records["honlea2017.latin_america_caribbean.15.e"]["text"] == (
        "Governments should contemplate legislating the criminal liability of legal persons, requiring such "
        "persons to adopt mechanisms for the control and prevention of criminal risks, both internally and in "
        "their relations with other legal entities, primarily in the areas of trafficking in drugs and "
        "precursors and organized crime.")
    assert records["honlea2017.near_middle_east.24.d"]["text"] == (
        "Governments, as well as international and regional organizations, should consider providing increased "
        "support, including technical assistance, equipment and training and by sharing information, to the "
        "“front-line” countries, namely those situated close to areas where drugs are cultivated and produced.")


def test_honlea_topic_headings_at_any_markdown_level(records):
    # "**3. ...**" without '#', and "## **2. ...**" at region level, are topics
    assert records["honlea2017.latin_america_caribbean.16.a"]["path"][-1] == (
        "3. Alternatives to imprisonment for certain offences as demand reduction strategies that promote "
        "public health and safety")
    assert records["honlea2017.near_middle_east.23.a"]["path"][-1] == (
        "2. Countering money-laundering, illicit financial flows and the use of the darknet and cryptocurrencies "
        "in relation to the drug trade")
    assert records["honlea2017.near_middle_east.23.a"]["path"][1].startswith("E. Subcommittee on Illicit Drug Traffic")


def test_honlea_italics_removed(records):
    assert records["honlea2017.near_middle_east.25.b"]["text"].startswith(
        "Governments should be encouraged to use the International Standards on Drug Use Prevention as a "
        "framework")


def test_honlea_counts_per_region(records):
    counts = {}
    for record in records.values():
        if record["document"] == "honlea2017":
            counts[record["scope"][0]] = counts.get(record["scope"][0], 0) + 1
    assert counts == {"europe": 16, "africa": 24, "latin_america_caribbean": 18, "asia_pacific": 19,
                      "near_middle_east": 17}


def test_honlea_last_recommendation_ends_before_the_closing_page_rule(records):
    assert records["honlea2017.near_middle_east.25.e"]["text"] == (
        "Governments should be encouraged to enhance cooperation among the education, law enforcement and "
        "public health sectors and other relevant stakeholders for more effective prevention and drug demand "
        "reduction efforts.")
