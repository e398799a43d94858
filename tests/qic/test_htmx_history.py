"""The back button on pages whose filters HTMX pushes to the history.

The history cache is off, so going back makes HTMX fetch the URL with `HX-History-Restore-Request` and put
the answer in place of the whole body: it must get the full page (header, navigation, footer), not the table.
"""

import pytest
from django.urls import reverse

PAGES = [
    ("sites:dashboard", {"vague": "1"}),
    ("sessions:list", {"periode": "passees"}),
    ("evaluation:learning_search", {"q": "habitant"}),
    ("audit_log", {"site": "Quartier"}),
]


@pytest.mark.parametrize(("name", "query"), PAGES)
def test_a_filter_request_gets_the_fragment_and_a_history_restore_gets_the_whole_page(
    client, world, name, query
):
    client.force_login(world.national)
    url = reverse(name)

    fragment = client.get(url, query, headers={"HX-Request": "true"})
    assert fragment.status_code == 200
    assert b"<html" not in fragment.content and b"fr-header" not in fragment.content

    restored = client.get(url, query, headers={"HX-Request": "true", "HX-History-Restore-Request": "true"})
    assert restored.status_code == 200
    html = restored.content.decode()
    assert html.lstrip().startswith("<!DOCTYPE html>") and "fr-header" in html and "fr-footer" in html
