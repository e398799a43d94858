"""Helpers shared by the collectives tests."""

import re

LINK = re.compile(r"https?://[^\s]+/invitations/([A-Za-z0-9_\-]+)/")


def token_from(message) -> str:
    """The invitation token in an email's link."""
    match = LINK.search(message.body)
    assert match, f"no invitation link in: {message.body}"
    return match.group(1)


XSS_PAYLOADS = [
    "<script>alert('xss')</script>",
    '"><img src=x onerror=alert(1)>',
    '<img src="http://127.0.0.1:9/pixel.png">',
    '<a href="javascript:alert(1)">clic</a>',
    "<svg onload=alert(1)>",
    '<iframe src="file:///etc/passwd"></iframe>',
]


def assert_escaped(html: str, payload: str) -> None:
    """The payload shows as text: none of its tags reached the page as markup (each would start with "<")."""
    tags = re.findall(r"<[a-z][^<]{0,30}", payload)
    assert tags, payload
    for tag in tags:
        assert tag not in html, f"unescaped {tag!r} in the page"
