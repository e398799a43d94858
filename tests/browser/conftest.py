"""Browser journeys: Playwright drives Debian's Chromium against Django's live server."""

import io
import os
import shutil
import subprocess
from pathlib import Path

import pytest
from django.core.management import call_command
from django.db import connection

# Debian's headless shell (Chromium's engine without the desktop browser around it, what Playwright runs
# headless itself) when installed, else the full Chromium in headless mode. Same pages, same layout and
# contrast checks; measured on this suite's journeys (two workers, PostgreSQL): 230 s of processor time
# against 371 s, 393 s against 562 s of wall time.
CHROMIUM = shutil.which("chromium-headless-shell") or shutil.which("chromium") or "/usr/bin/chromium"
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

if not os.path.exists(CHROMIUM):
    missing = "Chromium is missing: apt-get install chromium-headless-shell (or chromium)"
    if os.environ.get("QIC_REQUIRE_BROWSER"):
        raise RuntimeError(f"QIC_REQUIRE_BROWSER is set but {missing}")
    pytest.skip(missing, allow_module_level=True)

DEMO_PASSWORD = "qic-demo-2025"
AXE = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"


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


_demo_dump: dict[str, bytes] = {}


def _postgres(tool: str, *args: str, stdin: bytes | None = None) -> bytes:
    settings = connection.settings_dict
    command = [tool, "-h", settings["HOST"] or "localhost", "-p", str(settings["PORT"] or 5432)]
    command += ["-U", settings["USER"], "-d", settings["NAME"], *args]
    env = {**os.environ, "PGPASSWORD": settings.get("PASSWORD") or ""}
    return subprocess.run(command, input=stdin, capture_output=True, check=True, env=env).stdout


@pytest.fixture
def demo(transactional_db):
    """The demo data of `make demo`, committed so the live server sees it.

    On PostgreSQL it is seeded once per test session, then each journey gets the same rows (and ids) back from
    a data-only dump of them: about 0.5 s instead of 9 s of `seed_demo` for each of forty journeys."""
    usable = connection.vendor == "postgresql" and shutil.which("pg_dump") and shutil.which("psql")
    if usable and "sql" in _demo_dump:
        tables = ", ".join(connection.ops.quote_name(name) for name in connection.introspection.table_names())
        with connection.cursor() as cursor:
            cursor.execute(f"TRUNCATE {tables} RESTART IDENTITY CASCADE")
        _postgres("psql", "-q", "-v", "ON_ERROR_STOP=1", stdin=_demo_dump["sql"])
        return
    call_command("seed_demo", stdout=io.StringIO())
    if usable:
        _demo_dump["sql"] = _postgres("pg_dump", "--data-only", "--disable-triggers", "--no-owner")


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


def check_accessibility(page, context=""):
    """Run axe-core (from the npm registry, served from node_modules) on the current page of `page`.

    Fails on any violation, whatever its impact (a skipped heading level, "moderate" for axe-core, is a fault
    of RGAA 9.1 all the same), listing each rule and the elements it found. For journeys that open their own
    browser contexts; tests on the default `page` use the `axe_check` fixture.
    """
    assert AXE.exists(), "axe-core is missing: run `npm ci` (make test does)"
    # evaluate() goes through the DevTools protocol: the page's CSP (no inline script) does not block it.
    # Check the page as it rests: a panel still opening (DSFR collapse) has no measurable contrast yet.
    page.evaluate(
        """() => Promise.all(document.getAnimations()
             .filter(a => a.effect && a.effect.getComputedTiming().iterations !== Infinity)
             .map(a => a.finished.catch(() => null)))"""
    )
    page.evaluate(AXE.read_text())
    result = page.evaluate(
        """async () => await axe.run(document, {resultTypes: ['violations'], runOnly: {type: 'tag',
             values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice']}})"""
    )
    bad = result["violations"]
    details = [
        f"{v['id']} ({v['impact']}): {v['help']} — " + ", ".join(n["target"][0] for n in v["nodes"][:5])
        for v in bad
    ]
    assert not bad, f"Accessibility violations on {context or page.url}:\n" + "\n".join(details)
    return result["violations"]


@pytest.fixture
def axe_check(page):
    """Run axe-core on the current page of the default `page`: no violation."""
    assert AXE.exists(), "axe-core is missing: run `npm ci` (make test does)"

    def _check(context=""):
        return check_accessibility(page, context)

    return _check
