"""Browser journeys: Playwright drives Debian's Chromium against Django's live server."""

import io
import os
import shutil

import pytest
from django.core.management import call_command

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

if not os.path.exists(CHROMIUM):
    if os.environ.get("QIC_REQUIRE_BROWSER"):
        raise RuntimeError("QIC_REQUIRE_BROWSER is set but Chromium is missing: apt-get install chromium")
    pytest.skip("needs Debian's Chromium (apt-get install chromium)", allow_module_level=True)

DEMO_PASSWORD = "qic-demo-2025"


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    return {
        **browser_type_launch_args,
        "executable_path": CHROMIUM,
        "headless": True,
        "args": [
            "--no-sandbox",
            "--disable-gpu",
            "--disable-dev-shm-usage",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
        ],
    }


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args):
    return {**browser_context_args, "locale": "fr-FR", "timezone_id": "Europe/Paris"}


@pytest.fixture
def demo(transactional_db):
    """The demo data of `make demo`, committed so the live server sees it."""
    call_command("seed_demo", stdout=io.StringIO())


@pytest.fixture
def sign_in(page, live_server):
    def _sign_in(email, password=DEMO_PASSWORD):
        page.goto(f"{live_server.url}/comptes/login/")
        page.get_by_role("textbox", name="Adresse électronique").fill(email)
        page.get_by_label("Mot de passe").fill(password)
        page.get_by_role("button", name="Se connecter").click()
        page.wait_for_load_state("networkidle")
        return page

    return _sign_in
