"""axe-core on the main pages of each role: no serious or critical accessibility violation."""

import pytest

pytestmark = pytest.mark.browser


def test_public_pages(page, live_server, demo, axe_check):
    for path in ["/comptes/login/", "/comptes/password/reset/", "/accessibilite/", "/mentions-legales/",
                 "/donnees-personnelles/", "/comptes/signup/", "/donnees-ouvertes/",
                 "/quartiers/", "/quartiers/saint-etienne/"]:  # fmt: skip
        page.goto(f"{live_server.url}{path}")
        axe_check(path)


def test_login_errors_are_accessible(page, live_server, demo, sign_in, axe_check):
    sign_in("trinome@demo.qic.fr", password="pas-le-bon")
    axe_check("login with an error")


@pytest.mark.parametrize(
    ("email", "paths"),
    [
        (
            "national@demo.qic.fr",
            [
                "/sites/",
                "/sites/saint-etienne/",
                "/journal-d-audit/",
                "/comptes/password/change/",
                "/sites/tableau-de-bord/",
                "/sites/tableau-de-bord/?vague=4&tri=-trinome",
                "/sites/tableau-de-bord/?departement=42&carte=vague",  # the map, a department selected
                "/sites/saint-etienne/statut/",
                "/sites/saint-etienne/journal/",
            ],
        ),
        ("trinome@demo.qic.fr", ["/sites/saint-etienne/"]),
        ("crpv@demo.qic.fr", ["/sites/", "/sites/tableau-de-bord/"]),
    ],
)
def test_signed_in_pages(page, live_server, demo, sign_in, axe_check, email, paths):
    sign_in(email)
    for path in paths:
        page.goto(f"{live_server.url}{path}")
        axe_check(f"{email} {path}")


def test_error_page(page, live_server, demo, sign_in, axe_check):
    sign_in("trinome@demo.qic.fr")
    page.goto(f"{live_server.url}/sites/lievin/")
    axe_check("404")


def test_the_checker_catches_a_real_violation(page, axe_check):
    page.set_content('<html lang="fr"><body><main><h1>Test</h1><input type="text"></main></body></html>')
    with pytest.raises(AssertionError, match="label"):
        axe_check("a form field without a label")
