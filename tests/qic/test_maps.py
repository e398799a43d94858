"""The map of France (qic/maps.py, drawn through sites.geography): every department, overseas included, by its
INSEE code; counts, titles and links as planted; a well-formed SVG that names itself."""

import json
import xml.etree.ElementTree as ET

from django.conf import settings
from django.template import Context, Template

from qic import maps
from sites import geography

SVG = "{http://www.w3.org/2000/svg}"
ROWS = [  # (department, status, wave, sites)
    ("93", "active", 1, 7),
    ("93", "in_training", 2, 5),
    ("2A", "registering", 1, 1),
    ("974", "interested", 3, 2),
]


def _codes_of_the_registry() -> set[str]:
    data = json.loads((settings.BASE_DIR / "fixtures" / "geography.json").read_text(encoding="utf-8"))
    return {row["code"] for row in data["departments"]}


def _tree(fmap: maps.FranceMap) -> ET.Element:
    return ET.fromstring(str(fmap.svg))  # well-formed XML, or this raises


def _department(tree: ET.Element, map_id: str, code: str) -> ET.Element:
    return tree.find(f".//*[@id='{map_id}-{code}']")


def test_every_department_is_drawn_with_its_insee_code_overseas_and_corsica_included():
    assert set(maps.department_codes()) == _codes_of_the_registry()
    tree = _tree(geography.site_map([], map_id="m"))
    drawn = {el.get("id").removeprefix("m-") for el in tree.iter() if (el.get("id") or "").startswith("m-")}
    drawn -= {"title", "desc"}
    assert drawn == _codes_of_the_registry()
    assert {"2A", "2B", "971", "972", "973", "974", "976"} <= drawn
    assert tree.get("role") == "img"  # no link inside: an image with its title and description
    assert tree.find(f"{SVG}title").text == "Sites par département, selon leur statut"
    assert tree.find(f"{SVG}desc").text == "Aucun site."


def test_counts_titles_colours_and_links_follow_the_planted_rows():
    fmap = geography.site_map(ROWS, map_id="m", url="/tableau?departement={code}", selected="93")
    tree = _tree(fmap)
    assert tree.get("role") == "group"  # links inside: assistive tools reach them
    seine = _department(tree, "m", "93")
    assert seine.tag == f"{SVG}a" and seine.get("href") == "/tableau?departement=93"
    assert seine.get("aria-current") == "true"
    assert seine.find(f"{SVG}title").text == "Seine-Saint-Denis : 12 sites (En formation : 5, Actif : 7)"
    assert [t.text for t in seine.iter(f"{SVG}text")] == ["12"]
    assert seine.find(f"{SVG}path").get("fill") == geography.STATUS_COLORS["active"]  # most of its sites
    reunion = _department(tree, "m", "974")
    assert reunion.find(f"{SVG}title").text == "La Réunion : 2 sites (Intéressé : 2)"
    ain = _department(tree, "m", "01")
    assert ain.tag == f"{SVG}g"  # no site, no link
    assert ain.find(f"{SVG}title").text == "Ain : aucun site"
    assert ain.find(f"{SVG}path").get("fill") == maps.EMPTY
    # The table equivalent and the legend's figures.
    assert [(a.code, a.name, a.region, a.total) for a in fmap.areas] == [
        ("2A", "Corse-du-Sud", "Corse", 1),
        ("93", "Seine-Saint-Denis", "Île-de-France", 12),
        ("974", "La Réunion", "La Réunion", 2),
    ]
    assert {c.label: n for c, n in fmap.legend} == {
        "Intéressé": 2, "En inscription": 1, "En formation": 5, "Actif": 7, "En pause": 0, "Retiré": 0,
    }  # fmt: skip
    assert "Seine-Saint-Denis (12 sites)" in tree.find(f"{SVG}desc").text


def test_by_wave_the_legend_lists_the_waves_and_a_tie_goes_to_the_first():
    fmap = geography.site_map([("42", "active", 1, 2), ("42", "active", 3, 2)], colour_by="wave", map_id="m")
    assert [c.label for c in fmap.categories] == ["Vague 1", "Vague 3"]
    loire = _department(_tree(fmap), "m", "42")
    assert loire.find(f"{SVG}title").text == "Loire : 4 sites (Vague 1 : 2, Vague 3 : 2)"
    assert loire.find(f"{SVG}path").get("fill") == geography.MAP_WAVE_COLORS[0]


def test_names_are_escaped():
    fmap = maps.france_map(
        {"01": {"x": 1}},
        [maps.Category("x", "<b>x</b>", "#000091")],
        names={"01": "A & <B>"},
        map_id="m",
        title="T",
        legend_title="L",
        category_name="c",
    )
    assert _department(_tree(fmap), "m", "01").find(f"{SVG}title").text == "A & <B> : 1 site (<b>x</b> : 1)"


def test_another_page_shows_the_map_and_its_table_with_the_tag():
    tag = Template('{% load registry %}{% france_map rows colour_by="wave" %}')
    html = tag.render(Context({"rows": ROWS}))
    assert '<svg xmlns="http://www.w3.org/2000/svg" class="qic-map" id="carte-sites" role="img"' in html
    assert "Sites par département et par vague" in html and "Seine-Saint-Denis (93)" in html
    assert "Fond de carte" in html


def test_the_counts_for_one_map_draw_the_same_map_as_the_whole_counts(db):
    """The dashboard groups only what colours its map (fewer rows): the same map, by status or by wave."""
    from sites.models import Site
    from tests.sites.factories import SiteFactory, WaveFactory, department

    second = WaveFactory(number=2)
    SiteFactory(department=department("42"), status="active")
    SiteFactory(department=department("42"), status="active", wave=second)
    SiteFactory(department=department("42"), status="in_training", wave=second)
    SiteFactory(department=department("59"), status="paused")
    whole = geography.department_counts(Site.objects.all())
    assert len(whole) == 4
    for colour in ("status", "wave"):
        mine = geography.department_counts(Site.objects.all(), colour_by=colour)
        assert len(mine) == 3
        drawn = geography.site_map(mine, colour_by=colour, map_id="m")
        assert str(drawn.svg) == str(geography.site_map(whole, colour_by=colour, map_id="m").svg)
        assert drawn.table_rows() == geography.site_map(whole, colour_by=colour, map_id="m").table_rows()
