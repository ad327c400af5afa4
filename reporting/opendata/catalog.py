"""The catalogue of the open data, in DCAT (JSON-LD), for harvesters.

``dcat:Catalog`` → one ``dcat:Dataset`` per published cycle whose files were
written → one ``dcat:Distribution`` per file, with its download URL, media
type, size, SHA-256 checksum (SPDX), issue and modification dates and licence;
titles and descriptions in the six UN languages. The public API is listed as a
``dcat:DataService`` (its root and its OpenAPI description), so everything
public is reachable from the catalogue.

Every address is absolute, made from ``BASE_URL`` — never from the request's
Host header, which would let one request poison what a shared cache serves.
"""
from flask import current_app, url_for
from flask_babel import force_locale, gettext as _

from reporting.core.i18n import babel_locale
from reporting.models import Cycle
from reporting.opendata.files import FILES, FORMATS, read_manifest

CONTEXT = {
    "dcat": "http://www.w3.org/ns/dcat#",
    "dct": "http://purl.org/dc/terms/",
    "foaf": "http://xmlns.com/foaf/0.1/",
    "spdx": "http://spdx.org/rdf/terms#",
    "xsd": "http://www.w3.org/2001/XMLSchema#",
}
MEDIA_TYPES = "https://www.iana.org/assignments/media-types/"


def absolute(endpoint: str, **values) -> str:
    return current_app.config["BASE_URL"].rstrip("/") + url_for(endpoint, **values)


def in_languages(make) -> list[dict]:
    """``make()`` (text using ``_``) in each of the app's languages, as JSON-LD language-tagged strings."""
    texts = []
    for language in current_app.config["LANGUAGES"]:
        with force_locale(babel_locale(language)):
            texts.append({"@value": str(make()), "@language": language})
    return texts


def citation(cycle: Cycle, manifest: dict) -> str:
    """``OPEN_DATA_CITATION`` with its placeholders filled (unknown placeholders are left as typed)."""
    values = {"publisher": current_app.config["OPEN_DATA_PUBLISHER"], "cycle": cycle.label,
              "year": (manifest.get("published_at") or "")[:4] or cycle.deadline.year,
              "url": absolute("opendata.cycle_page", label=cycle.label)}
    template = current_app.config["OPEN_DATA_CITATION"]
    for name, value in values.items():
        template = template.replace("{" + name + "}", str(value))
    return template


def _license() -> dict:
    return {"@id": current_app.config["OPEN_DATA_LICENSE_URL"]}


def _distribution(cycle: Cycle, manifest: dict, file) -> dict:
    entry = manifest["files"][file.name]
    url = absolute("opendata.download", label=cycle.label, name=file.name)
    return {
        "@id": url,
        "@type": "dcat:Distribution",
        "dct:title": in_languages(lambda: _("%(title)s (%(format)s)", title=file.title, format=FORMATS[file.media_type])),
        "dct:description": in_languages(lambda: file.description),
        "dcat:downloadURL": {"@id": url},
        "dcat:accessURL": {"@id": url},
        "dcat:mediaType": {"@id": MEDIA_TYPES + file.media_type},
        "dct:format": FORMATS[file.media_type],
        "dcat:byteSize": {"@value": entry["size"], "@type": "xsd:nonNegativeInteger"},
        "spdx:checksum": {"@type": "spdx:Checksum", "spdx:algorithm": {"@id": "spdx:checksumAlgorithm_sha256"},
                          "spdx:checksumValue": entry["sha256"]},
        "dct:issued": manifest.get("published_at"),
        "dct:modified": entry["modified"],
        "dct:license": _license(),
    }


def _dataset(cycle: Cycle, manifest: dict) -> dict:
    page = absolute("opendata.cycle_page", label=cycle.label)

    def description():
        text = _("Aggregated results and public answers of the Member States' accepted national reports on the "
                 "international drug-policy commitments, reporting cycle %(cycle)s, with a data dictionary.",
                 cycle=cycle.label)
        if cycle.is_demo:
            text += " " + _("Demonstration data: synthetic, not reported by any State.")
        return text

    return {
        "@id": page,
        "@type": "dcat:Dataset",
        "dct:identifier": cycle.label,
        "dct:title": in_languages(lambda: _("Drug policy commitments: national reporting, cycle %(cycle)s",
                                            cycle=cycle.label)),
        "dct:description": in_languages(description),
        "dct:issued": manifest.get("published_at"),
        "dct:modified": max(entry["modified"] for entry in manifest["files"].values()),
        "dct:publisher": {"@type": "foaf:Agent", "foaf:name": current_app.config["OPEN_DATA_PUBLISHER"]},
        "dct:license": _license(),
        "dct:bibliographicCitation": citation(cycle, manifest),
        "dct:conformsTo": {"@id": absolute("opendata.download", label=cycle.label, name="dictionary.csv")},
        "dcat:landingPage": {"@id": page},
        "dcat:keyword": ["drug policy", "UNGASS 2016", "Annual Report Questionnaire", "SDG 3.5.1"],
        "dcat:distribution": [_distribution(cycle, manifest, file) for file in FILES if file.name in manifest["files"]],
    }


def catalog_document(cycles: list[Cycle]) -> dict:
    """The catalogue of ``cycles`` (the published ones) that have open-data files."""
    datasets = [_dataset(cycle, manifest) for cycle in cycles if (manifest := read_manifest(cycle.label))]
    api_root = absolute("public_api.index")
    return {
        "@context": CONTEXT,
        "@id": absolute("opendata.catalog"),
        "@type": "dcat:Catalog",
        "dct:title": in_languages(lambda: _("Drug policy commitments: open data")),
        "dct:description": in_languages(lambda: _(
            "Open data of the published reporting cycles on the international drug-policy commitments: aggregates, "
            "public answers of accepted national reports and data dictionaries, and a read-only public API.")),
        "dct:publisher": {"@type": "foaf:Agent", "foaf:name": current_app.config["OPEN_DATA_PUBLISHER"]},
        "dct:license": _license(),
        "dct:modified": max((dataset["dct:modified"] for dataset in datasets), default=None),
        "dcat:dataset": datasets,
        "dcat:service": [{
            "@id": api_root,
            "@type": "dcat:DataService",
            "dct:title": in_languages(lambda: _("Public API of the published cycles and the commitment register")),
            "dcat:endpointURL": {"@id": api_root},
            "dcat:endpointDescription": {"@id": absolute("api.openapi")},
            "dcat:servesDataset": [{"@id": dataset["@id"]} for dataset in datasets],
            "dct:license": _license(),
        }],
    }
