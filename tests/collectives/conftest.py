"""Fixtures of the collectives tests: site A's full trinôme, signed-in clients, captured on-commit email."""

from dataclasses import dataclass

import pytest

from collectives.enums import MemberRole
from tests.collectives.factories import MembershipFactory, UserFactory


@dataclass
class Trinome:
    prefect: object  # délégué·e du préfet
    municipality: object
    civil_society: object  # world.seat_holder_a

    @property
    def users(self):
        return [self.prefect, self.municipality, self.civil_society]


@pytest.fixture
def trinome(world):
    """Site A with its three seats held (the world fixture fills only the civil-society seat)."""
    prefect = MembershipFactory(
        site=world.site_a,
        role=MemberRole.PREFECT_DELEGATE,
        user=UserFactory(first_name="Karim", last_name="Benali"),
    ).user
    municipality = MembershipFactory(
        site=world.site_a,
        role=MemberRole.MUNICIPALITY,
        user=UserFactory(first_name="Sophie", last_name="Durand"),
    ).user
    return Trinome(prefect=prefect, municipality=municipality, civil_society=world.seat_holder_a)


@pytest.fixture
def login(client):
    """`login(user)` signs the test client in; `login(user, new=True)` gives a second, separate browser."""
    from tests.conftest import StrictClient

    def _login(user, new=False):
        target = StrictClient() if new else client
        target.force_login(user)
        return target

    return _login


@pytest.fixture
def sent(django_capture_on_commit_callbacks, mailoutbox):
    """Run on-commit callbacks (the Celery email tasks run eagerly) and return the outbox."""

    class _Sent:
        outbox = mailoutbox

        def __call__(self):
            return django_capture_on_commit_callbacks(execute=True)

    return _Sent()


@pytest.fixture
def pdf_text(tmp_path):
    """The text of a PDF, as a reader's tool extracts it (poppler's pdftotext)."""
    import subprocess

    def _text(content: bytes) -> str:
        path = tmp_path / "document.pdf"
        path.write_bytes(content)
        return subprocess.run(
            ["pdftotext", "-layout", str(path), "-"], capture_output=True, check=True, text=True
        ).stdout

    return _text
