"""Load scenario: the four journeys of the platform's users, mixed, against a production-like server.

Run by bench/load.py (50 users, 2 minutes, gunicorn on PostgreSQL, a roll-up report generating meanwhile).
Pages are named by kind so that the statistics read per page. Links to features are discovered on the pages
(not hard-coded), so the scenario follows the interface as a person would.
"""

import csv
import itertools
import os
import random
import re
import time
from html import unescape

import gevent
from locust import FastHttpUser, events, task

PASSWORD = "qic-demo-2025"
ADDRESSES = itertools.count()
HREF = re.compile(r'href="(/[^"#?]*)(\?[^"#]*)?"')


# Arriving is measured apart: users sign in while they arrive (the ramp-up), then make a first journey, which
# renders their pages for the first time. Once every user has made its first journey, the statistics are
# reset and the steady state lasts QIC_DURATION seconds: its figures are the load's. What happened before
# (sign-in and first journeys) is reported on its own.
SIGN_IN = ("login page", "login", "home (start page)")
arrival_times: list[tuple[str, float, bool, str]] = []
first_journeys = itertools.count(1)
steady = False


def _steady_state(environment):
    global steady
    steady = True
    environment.runner.stats.reset_all()
    marker = os.environ.get("QIC_STEADY_FILE")
    if marker:
        with open(marker, "w") as out:
            out.write(str(time.time()))
    gevent.spawn_later(float(os.environ.get("QIC_DURATION", "120")), environment.runner.quit)


@events.request.add_listener
def _record_arrival(request_type, name, response_time, exception, **kwargs):
    if not steady or exception is not None:  # errors are kept too: the statistics reset forgets them
        arrival_times.append((name, response_time, exception is None, "steady" if steady else "arrival"))


@events.quitting.add_listener
def _write_sign_in(environment, **kwargs):
    path = os.environ.get("QIC_ARRIVAL_CSV")
    if path:
        with open(path, "w", newline="") as out:
            writer = csv.writer(out)
            writer.writerow(["name", "response_ms", "ok", "phase"])
            writer.writerows(arrival_times)


# Pacing. "rate" (the default): the users together offer QIC_OFFERED requests per second (each user spaces
# its journeys so as to make its share of them), and the figures say how the server holds that load: the goal
# is a p95 at 50 requests per second sustained. A user who falls behind does not catch up, so a server that
# cannot keep up shows a lower rate. "saturate": each user pauses 0.5-2 s between journeys whatever the rate,
# which offers about twice the goal: the figures are then those of an overloaded server (its capacity).
PACE = os.environ.get("QIC_PACE", "rate")
OFFERED = float(os.environ.get("QIC_OFFERED", "55"))
PER_USER_RATE = OFFERED / max(1, int(os.environ.get("QIC_USERS", "50")))


def links(html: str, pattern: str) -> list[str]:
    return sorted(
        {m.group(1) + (m.group(2) or "") for m in HREF.finditer(html) if re.search(pattern, m.group(1))}
    )


class Journey(FastHttpUser):
    """A user of the platform. Its client is FastHttpUser's (geventhttpclient), not HttpUser's (requests): the
    load runs on the server's machine, and the lighter client leaves more of the processor to the server
    (locust took 0.13-0.14 of the 2 cores with requests, 0.09 with it)."""

    abstract = True
    email = ""
    task_requests = 0
    task_started = 0.0

    def wait_time(self):
        """Called after each journey."""
        if not self.arrived:
            self.arrived = True
            if next(first_journeys) == int(os.environ.get("QIC_USERS", "0")):
                _steady_state(self.environment)
        if PACE == "saturate":
            return random.uniform(0.5, 2.0)
        now = time.monotonic()
        due = self.task_requests / PER_USER_RATE - (now - self.task_started)
        pause = max(0.0, due) * random.uniform(0.5, 1.5)
        self.task_requests, self.task_started = 0, now + pause
        return pause

    def on_start(self):
        # Each simulated user comes from its own address, passed on by the (simulated) reverse proxy.
        n = next(ADDRESSES)
        self.address = {"X-Forwarded-For": f"10.0.{n // 250}.{n % 250 + 1}"}
        page = self.client.get("/comptes/login/", name="login page", headers=self.address)
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text).group(1)
        self.client.post(
            "/comptes/login/",
            data={"login": self.email, "password": PASSWORD, "csrfmiddlewaretoken": token},
            headers={**self.address, "Referer": self.host + "/comptes/login/"},
            name="login",
        )
        # The fast client does not tell the address a redirect led to: the start page tells who signed in.
        self.home = self.client.get("/", name="home (start page)", headers=self.address).text
        if 'name="password"' in self.home:
            raise RuntimeError(f"login failed for {self.email}")
        self.task_started = time.monotonic()
        self.arrived = False

    def get(self, url, name):
        self.task_requests += 1
        return self.client.get(url, name=name, headers=self.address)


class NationalStaff(Journey):
    """Filters the dashboard, opens sites, exports the selection."""

    weight = 3
    email = "national@demo.qic.fr"

    def filtered(self):
        wave, region = random.choice([1, 2, 3]), random.choice(["84", "32", "93", "24"])
        return self.get(f"/sites/tableau-de-bord/?vague={wave}&region={region}", "dashboard filtered").text

    @task(4)
    def filter_dashboard(self):
        sites = links(self.filtered(), r"^/sites/[^/]+/$")
        if sites:
            self.get(random.choice(sites), "site page")

    @task(1)
    def export(self):
        # The export link carries the filters of the page it is on: the selection, not all sites.
        exports = links(self.filtered(), r"/export\.xlsx$")
        if exports:
            self.get(exports[0].replace("&amp;", "&"), "dashboard export (XLSX)")


class Trinome(Journey):
    """Works on the site's vision and strategy."""

    weight = 3
    email = "trinome@demo.qic.fr"

    @task(2)
    def workspace(self):
        html = self.get("/sites/saint-etienne/", "site page").text
        for url in links(html, r"^/sites/saint-etienne/(vision|strategie|entente|collectif)")[:3]:
            self.get(url, "site workspace " + url.split("/")[3])

    @task(1)
    def rewrite_vision(self):
        """Opens the vision's statement and saves it reworded: a write through the service (revision, journal,
        progress facts) under the same conditions as the reads. Fifteen users share the trinôme's account, so
        some saves meet a newer version: the page says so (a conflict is a 200, not an error)."""
        form = self.get("/sites/saint-etienne/vision/enonce/", "vision statement (form)").text
        fields = dict(re.findall(r'name="(csrfmiddlewaretoken|version|horizon_year)" value="([^"]*)"', form))
        statement = re.search(r'<textarea[^>]*name="statement"[^>]*>([^<]*)</textarea>', form)
        if not statement or "version" not in fields:
            return
        text = unescape(statement.group(1)).strip().removesuffix(" ensemble.").removesuffix(".")
        self.task_requests += 1
        self.client.post(
            "/sites/saint-etienne/vision/enonce/",
            data={
                **fields,
                "statement": text + random.choice([".", " ensemble."]),
                "horizon_year": fields.get("horizon_year") or "2036",
            },
            headers={**self.address, "Referer": self.host + "/sites/saint-etienne/vision/enonce/"},
            name="vision statement (save)",
        )


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
        html = self.get("/sites/tableau-de-bord/", "dashboard").text
        for url in links(html, r"^/bilans/")[:1]:
            listing = self.get(url, "bilans archive").text
            downloads = links(listing, r"telecharger|download|\.pdf$")
            if downloads:
                self.get(downloads[0], "bilan download")
