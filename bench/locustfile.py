"""Load scenario: the four journeys of the platform's users, mixed, against a production-like server.

Run by bench/load.py (50 users, 2 minutes, gunicorn on PostgreSQL, a roll-up report generating meanwhile).
Pages are named by kind so that the statistics read per page. Links to features are discovered on the pages
(not hard-coded), so the scenario follows the interface as a person would.
"""

import itertools
import random
import re

from locust import HttpUser, between, task

PASSWORD = "qic-demo-2025"
ADDRESSES = itertools.count()
HREF = re.compile(r'href="(/[^"#?]*)(\?[^"#]*)?"')


def links(html: str, pattern: str) -> list[str]:
    return sorted(
        {m.group(1) + (m.group(2) or "") for m in HREF.finditer(html) if re.search(pattern, m.group(1))}
    )


class Journey(HttpUser):
    abstract = True
    wait_time = between(0.5, 2.0)
    email = ""

    def on_start(self):
        # Each simulated user comes from its own address, passed on by the (simulated) reverse proxy.
        n = next(ADDRESSES)
        self.client.headers["X-Forwarded-For"] = f"10.0.{n // 250}.{n % 250 + 1}"
        page = self.client.get("/comptes/login/", name="login page")
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text).group(1)
        response = self.client.post(
            "/comptes/login/",
            {"login": self.email, "password": PASSWORD, "csrfmiddlewaretoken": token},
            headers={"Referer": self.host + "/comptes/login/"},
            name="login",
        )
        if "/comptes/login/" in response.url:
            raise RuntimeError(f"login failed for {self.email}")
        self.home = self.client.get("/", name="home (start page)").text

    def get(self, url, name):
        return self.client.get(url, name=name)


class NationalStaff(Journey):
    """Filters the dashboard, opens sites, exports the selection."""

    weight = 3
    email = "national@demo.qic.fr"

    @task(4)
    def filter_dashboard(self):
        wave, region = random.choice([1, 2, 3]), random.choice(["84", "32", "93", "24"])
        html = self.get(f"/sites/?vague={wave}&region={region}", "dashboard filtered").text
        sites = links(html, r"^/sites/[^/]+/$")
        if sites:
            self.get(random.choice(sites), "site page")

    @task(1)
    def export(self):
        html = self.get("/sites/?vague=2", "dashboard filtered").text
        exports = links(html, r"export")
        if exports:
            self.get(exports[0], "dashboard export")


class Trinome(Journey):
    """Works on the site's vision and strategy."""

    weight = 3
    email = "trinome@demo.qic.fr"

    @task
    def workspace(self):
        html = self.get("/sites/saint-etienne/", "site page").text
        for url in links(html, r"^/sites/saint-etienne/(vision|strategie|entente|collectif)")[:3]:
            self.get(url, "site workspace " + url.split("/")[3])


class Facilitator(Journey):
    """Looks at the region's sites and the sessions they run."""

    weight = 2
    email = "crpv@demo.qic.fr"

    @task
    def sessions(self):
        html = self.get("/sites/", "facilitator sites").text
        for url in links(html, r"^/sessions/")[:2]:
            self.get(url, "sessions")
        sites = links(html, r"^/sites/[^/]+/$")
        if sites:
            self.get(random.choice(sites), "site page")


class SteeringCommittee(Journey):
    """Reads the overview and downloads bilans."""

    weight = 2
    email = "comite@demo.qic.fr"

    @task
    def bilans(self):
        html = self.get("/sites/", "dashboard").text
        for url in links(html, r"^/bilans/")[:1]:
            listing = self.get(url, "bilans archive").text
            downloads = links(listing, r"telecharger|download|\.pdf$")
            if downloads:
                self.get(downloads[0], "bilan download")
