"""Portal pages at scale: how long the server takes to render them with 10,000
organisations and 100,000 keys in the database (issue 10's goal: median under 50 ms).

A run makes a SQLite database with ``--organisations`` organisations (employers,
providers, developers), one person each, ``--keys`` keys spread over them, a day of hourly
usage for a tenth of the keys and ``--audit`` audit entries; starts one
``apprenticeships serve`` pinned to CPU 0; signs in an employer Owner through the
sign-in form; then, for each page, runs wrk (pinned to CPU 1) at 1 connection (median
latency, the goal) and at 64 connections (throughput). Every response must be a 200.

Run it with ``make bench`` or ``.venv/bin/python -m bench.portal``.
"""

from __future__ import annotations

import argparse
import re
import secrets
import tempfile
import time
from dataclasses import asdict, dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
from argon2 import PasswordHasher, Type
from sqlalchemy import create_engine, insert

from apprenticeships.accounts.passwords import normalise
from apprenticeships.storage.models import (
    ApiKey,
    AuditEvent,
    KeyUsageHour,
    Membership,
    Organisation,
    Subscription,
    User,
)
from bench.gateway import (
    BenchError,
    Measurement,
    base_environment,
    cli,
    load_average,
    run_main,
    server,
    write_results,
    wrk,
)

MEDIAN_GOAL_MS = 50.0
# A new password every run (the database is thrown away afterwards).
PASSWORD = secrets.token_urlsafe(24)
OWNER_EMAIL = "owner-0@bench.example"
PAGES = ("/portal/apis", "/portal/team", "/portal/audit", "/portal/account", "/portal/usage")
PUBLIC_PAGES = ("/portal", "/portal/sign-in")
_CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


@dataclass(frozen=True, slots=True)
class Options:
    organisations: int
    keys: int
    audit: int
    duration: int
    connections: int


def seed(database: Path, options: Options) -> None:
    """Bulk rows straight into the tables (the services would take minutes for 100,000
    keys); the shapes are those the services write."""
    engine = create_engine(f"sqlite:///{database}")
    now = datetime.now(UTC)
    kinds = ("employer", "provider", "developer")
    password_hash = PasswordHasher(type=Type.ID).hash(normalise(PASSWORD))
    organisations, people, memberships, subscriptions, keys = [], [], [], [], []
    roles = {"employer": "Owner", "provider": "AccountOwner", "developer": "Developer"}
    products = {
        "employer": ("display-advert", "recruitment"),
        "provider": ("display-advert", "recruitment", "track-progress"),
        "developer": ("display-advert",),
    }
    subscription_id = 0
    per_organisation = max(1, options.keys // options.organisations)
    for index in range(options.organisations):
        kind = kinds[index % 3]
        organisation_id = index + 1
        public_id = (
            f"B{index:05d}"[:6] if kind == "employer"
            else str(10_000_000 + index) if kind == "provider"
            else f"00000000-0000-4000-8000-{index:012d}"
        )  # fmt: skip
        email = f"owner-{index}@bench.example"
        organisations.append(
            {
                "id": organisation_id, "kind": kind, "public_id": public_id,
                "name": f"Bench {kind} {index}", "status": "active", "created_at": now,
                "email": email if kind == "developer" else None,
            }
        )  # fmt: skip
        people.append(
            {
                "id": organisation_id, "email": email, "name": f"Owner {index}",
                "password_hash": password_hash if index == 0 else None,
                "is_platform_admin": False, "created_at": now,
                "email_confirmed_at": now, "password_changed_at": now - timedelta(days=1),
            }
        )  # fmt: skip
        memberships.append(
            {"user_id": organisation_id, "organisation_id": organisation_id,
             "role": roles[kind], "created_at": now}
        )  # fmt: skip
        for product in products[kind]:
            for environment in ("live", "sandbox"):
                subscription_id += 1
                subscriptions.append(
                    {"id": subscription_id, "organisation_id": organisation_id,
                     "product_id": product, "environment": environment, "created_at": now}
                )  # fmt: skip
                if len(keys) < (index + 1) * per_organisation:
                    keys.append(_key(len(keys), subscription_id, organisation_id, now))
        while len(keys) < (index + 1) * per_organisation:
            keys.append(_key(len(keys), subscription_id, organisation_id, now))
    hour = now.replace(minute=0, second=0, microsecond=0)
    usage = [
        {"key_id": key["id"], "hour": hour - timedelta(hours=h), "status_class": status,
         "requests": 10 + h}
        for key in keys[:: 10] for h in range(24) for status in ("2xx", "429")
    ]  # fmt: skip
    audit = [
        {"at": now - timedelta(seconds=i), "actor_user_id": 1 + i % options.organisations,
         "actor_email": f"owner-{i % options.organisations}@bench.example",
         "organisation_id": 1 + i % options.organisations, "action": "sign_in",
         "details": {}, "address": "127.0.0.1"}
        for i in range(options.audit)
    ]  # fmt: skip
    with engine.begin() as connection:
        for model, rows in (
            (Organisation, organisations), (User, people), (Membership, memberships),
            (Subscription, subscriptions), (ApiKey, keys), (KeyUsageHour, usage),
            (AuditEvent, audit),
        ):  # fmt: skip
            for start in range(0, len(rows), 5000):
                connection.execute(insert(model.__table__), rows[start : start + 5000])
    engine.dispose()


def _key(index: int, subscription_id: int, person_id: int, now: datetime) -> dict[str, Any]:
    return {
        "id": f"key_{index:028x}", "subscription_id": subscription_id, "name": f"Key {index}",
        "key_hash": f"{index:064x}", "fragment": f"appr_…{index % 10000:04d}",
        "created_at": now, "usage_count": 0, "created_by_user_id": person_id,
    }  # fmt: skip


def sign_in(port: int) -> str:
    """The portal_session cookie of the first organisation's Owner, from the real form."""
    with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=30) as client:
        page = client.get("/portal/sign-in")
        token = _CSRF.search(page.text)
        if token is None:
            raise BenchError("no CSRF token on the sign-in page")
        answer = client.post(
            "/portal/sign-in",
            data={"email": OWNER_EMAIL, "password": PASSWORD, "csrf_token": token.group(1)},
        )
        session = answer.cookies.get("portal_session")
        if answer.status_code != 303 or not session:
            raise BenchError(f"sign-in failed: {answer.status_code} {answer.text[:300]}")
        return session


def available(port: int, cookie: str, paths: tuple[str, ...]) -> list[str]:
    """The pages this build has (a page still to come answers 404 and is left out)."""
    found = []
    with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=30) as client:
        for path in paths:
            answer = client.get(path, headers={"cookie": f"portal_session={cookie}"})
            if answer.status_code == 200:
                found.append(path)
            elif answer.status_code != 404:
                raise BenchError(f"{path}: {answer.status_code}")
    return found


def run(options: Options) -> None:
    started = datetime.now(UTC)
    with tempfile.TemporaryDirectory(prefix="bench-portal-") as scratch:
        var_dir = Path(scratch) / "var"
        var_dir.mkdir()
        env = base_environment(var_dir)
        env["APPRENTICESHIPS_ACCESS_LOG"] = "false"
        cli(env, Path(scratch), "db", "upgrade")
        began = time.monotonic()
        seed(var_dir / "apprenticeships.sqlite3", options)
        print(f"seeded {options.organisations:,} organisations and {options.keys:,} keys "
              f"in {time.monotonic() - began:.1f} s")  # fmt: skip
        args = ["-m", "apprenticeships", "serve", "--host", "127.0.0.1"]
        with server(args, env, Path(scratch), Path(scratch) / "server.log") as running:
            cookie = sign_in(running.port)
            signed_in = available(running.port, cookie, PAGES)
            results: dict[str, dict[str, Measurement]] = {}
            for path in (*PUBLIC_PAGES, *signed_in):
                headers = {"cookie": f"portal_session={cookie}"} if path in signed_in else {}
                url = f"http://127.0.0.1:{running.port}{path}"
                # The previous page's 64-connection run may still be draining: wait for it.
                if httpx.get(url, headers=headers, timeout=60).status_code != 200:
                    raise BenchError(f"{path} did not answer 200")
                wrk(path, url, headers, 1, 2)  # warm-up
                results[path] = {
                    "latency": wrk(path, url, headers, 1, options.duration),
                    "throughput": wrk(path, url, headers, options.connections, options.duration),
                }
    lines = [
        f"Portal pages, {options.organisations:,} organisations, {options.keys:,} keys, "
        f"{options.audit:,} audit entries (load {load_average()})",
        f"{'page':<20}{'p50 ms (1 conn)':>17}{'p99 ms':>9}{'rps (64 conn)':>15}  goal p50 < 50 ms",
    ]
    ok = True
    for path, measured in results.items():
        p50 = measured["latency"].latency_us["p50"] / 1000
        p99 = measured["latency"].latency_us["p99"] / 1000
        good = p50 < MEDIAN_GOAL_MS
        ok = ok and good
        lines.append(
            f"{path:<20}{p50:>17.1f}{p99:>9.1f}{measured['throughput'].rps:>15,.0f}  "
            f"{'PASS' if good else 'FAIL'}"
        )
    print("\n".join(lines))
    document: dict[str, Any] = {
        "options": asdict(options),
        "pages": {p: {k: m.as_json() for k, m in r.items()} for p, r in results.items()},
        "goal_met": ok,
    }
    write_results("portal", started, document)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--organisations", type=int, default=10_000)
    parser.add_argument("--keys", type=int, default=100_000)
    parser.add_argument("--audit", type=int, default=100_000)
    parser.add_argument("--duration", type=int, default=5, help="seconds per wrk run")
    parser.add_argument("--connections", type=int, default=64)
    args = parser.parse_args(argv)
    options = Options(args.organisations, args.keys, args.audit, args.duration, args.connections)
    return run_main(lambda: run(options))


if __name__ == "__main__":
    raise SystemExit(main())
