"""axe-core on the pages the layout walk does not open: no accessibility violation, whatever its impact.

The layout walk (tests/browser/test_layout.py) runs axe-core on every page of the tenancy walk for every
role, and fails on any violation, whatever its impact. Here: the account pages of django-allauth (outside
the tenancy walk's URLs), a sign-in with an error, the 404 page, the dashboard with filters and a department
selected on its map, and the dashboard of a resource centre's facilitator (the walk opens it as national
staff only).
"""

import pytest

pytestmark = pytest.mark.browser


def test_account_pages(page, live_server, demo, axe_check):
    for path in ["/comptes/login/", "/comptes/password/reset/", "/comptes/signup/"]:
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
                "/comptes/password/change/",
                "/sites/tableau-de-bord/?vague=4&tri=-trinome",
                "/sites/tableau-de-bord/?departement=42&carte=vague",  # the map, a department selected
            ],
        ),
        ("crpv@demo.qic.fr", ["/sites/tableau-de-bord/"]),
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
