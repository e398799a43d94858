"""publiccode.yml (standard v0.4) at the repository's root: what can be checked offline (the YAML parses, the
mandatory keys are there with allowed values, the lengths the standard sets) and the values still to give."""

import re

import yaml
from django.conf import settings

ROOT = settings.BASE_DIR
CATEGORIES = {  # the standard's controlled vocabulary (docs/standard/categories-list.rst), those we may use
    "collaboration", "data-analytics", "data-collection", "data-visualization", "document-management",
    "knowledge-management", "project-collaboration", "project-management", "workflow-management",
}  # fmt: skip
SCOPES = {"local-authorities", "society", "welfare", "employment", "education"}
SPDX = re.compile(r"^(LicenseRef-[A-Za-z0-9.-]+|[A-Za-z0-9.+-]+)( (AND|OR) [A-Za-z0-9.+-]+)*$")


def _publiccode() -> dict:
    return yaml.safe_load((ROOT / "publiccode.yml").read_text(encoding="utf-8"))


def test_publiccode_has_the_mandatory_keys_of_the_standard():
    code = _publiccode()
    assert code["publiccodeYmlVersion"] == "0.4"
    assert code["name"] and re.match(r"^https://[^ ]+$", code["url"])
    assert set(code["platforms"]) <= {"web", "windows", "mac", "linux", "ios", "android"}
    assert code["categories"] and set(code["categories"]) <= CATEGORIES
    assert set(code["intendedAudience"]["scope"]) <= SCOPES
    assert code["developmentStatus"] in {"concept", "development", "beta", "stable", "obsolete"}
    assert code["softwareType"] == "standalone/web"
    french = code["description"]["fr"]
    assert len(french["shortDescription"]) <= 150
    assert 150 <= len(french["longDescription"]) <= 10000
    assert french["features"]
    assert SPDX.match(code["legal"]["license"])
    assert code["maintenance"]["type"] in {"internal", "contract", "community", "none"}
    assert all(contact["name"] for contact in code["maintenance"]["contacts"])
    assert code["localisation"]["availableLanguages"] == ["fr"]
    assert isinstance(code["localisation"]["localisationReady"], bool)
    assert all(dependency["name"] for dependency in code["dependsOn"]["open"])


def test_the_values_only_anct_can_give_stay_visible_until_given():
    """The repository's address, the code's licence and a technical contact: placeholders until ANCT decides.
    Once a LICENSE file is added, the licence must be named here too."""
    code = _publiccode()
    placeholders = {
        "url": code["url"].split("/")[2].endswith(".invalid"),
        "licence": code["legal"]["license"].startswith("LicenseRef-A-COMPLETER"),
        "contact": any("À COMPLÉTER" in c["name"] for c in code["maintenance"]["contacts"]),
    }
    licence_files = [
        p for p in ROOT.iterdir() if p.name.upper().startswith(("LICENSE", "LICENCE", "COPYING"))
    ]
    if licence_files:
        assert not placeholders["licence"], (
            f"{licence_files[0].name} exists: name its licence in publiccode.yml"
        )
    header = (ROOT / "publiccode.yml").read_text(encoding="utf-8").split("publiccodeYmlVersion")[0]
    assert not any(placeholders.values()) or "À COMPLÉTER" in header  # said at the top of the file
