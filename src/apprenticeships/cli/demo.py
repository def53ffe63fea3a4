"""``apprenticeships demo``: demo data and keys."""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn
from sqlalchemy.ext.asyncio import AsyncSession

from apprenticeships.cli.common import CliError, fail, load_settings, now, run
from apprenticeships.demo.people import (
    DEMO_PEOPLE,
    PASSWORDS_FILE,
    load_or_create_passwords,
    load_passwords,
)
from apprenticeships.demo.service import KEY_EMPLOYER, KEY_PROVIDER, issue_demo_keys, seed
from apprenticeships.errors import DomainError
from apprenticeships.settings import Settings

app = typer.Typer(help="Demo data and keys.", no_args_is_help=True)

# Below this many adverts seeding takes about a second, and a bar would only flicker.
PROGRESS_FROM = 5_000


@app.command("seed")
def seed_demo(
    vacancies: Annotated[
        int,
        typer.Option(
            "--vacancies",
            help="Live adverts to have in the live environment; the sandbox gets a "
            "smaller set (a twentieth, at least 50).",
        ),
    ] = 5_000,
    manifest: Annotated[
        Path | None,
        typer.Option("--manifest", help="Write the JSON manifest to this file, not stdout."),
    ] = None,
) -> None:
    """Load demo organisations, people, permissions and adverts, in live and sandbox, and
    print a JSON manifest of them. Running it again adds only what is missing."""
    if vacancies < 0:
        fail("--vacancies must be 0 or more")
    started = time.monotonic()
    bar = Progress(
        TextColumn("Seeding demo adverts"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeRemainingColumn(),
        console=Console(stderr=True),
        transient=True,
    )
    task = bar.add_task("seed")
    added = 0

    def report(done: int, total: int) -> None:
        nonlocal added
        added = done
        bar.update(task, completed=done, total=total)
        # Only on a terminal: piped output would get nothing but a stray blank line.
        if total >= PROGRESS_FROM and bar.console.is_terminal and not bar.live.is_started:
            bar.start()

    async def work(session: AsyncSession, settings: Settings) -> dict[str, Any]:
        people = load_or_create_passwords(settings.var_dir)
        return await seed(session, now(), vacancies=vacancies, progress=report, people=people)

    try:
        made = run(work)
    finally:
        if bar.live.is_started:
            bar.stop()
    text = json.dumps(made, indent=2) + "\n"
    if manifest is None:
        typer.echo(text, nl=False)
    else:
        try:
            manifest.parent.mkdir(parents=True, exist_ok=True)
            manifest.write_text(text, encoding="utf-8")
        except OSError as error:
            fail(f"cannot write the manifest to {manifest}: {error.strerror or error}")
    typer.echo(
        f"Demo data ready: {made['vacancies']['live']} live adverts; {added} adverts added "
        f"(live and sandbox) in {time.monotonic() - started:.1f}s"
        + (f"; manifest in {manifest}." if manifest is not None else "."),
        err=True,
    )


@app.command("keys")
def keys() -> None:
    """Issue fresh demo keys (Display advert for the demo developer, Recruitment for the
    first demo employer, Track progress for the first demo provider, each live and
    sandbox) and show how to call the APIs."""

    async def work(session: AsyncSession, settings: Settings) -> tuple[dict[str, str], str]:
        issued = await issue_demo_keys(session, settings.resolved_secret_key(), now())
        return issued, settings.public_url

    issued, url = run(work)
    live, sandbox = issued["display-advert"], issued["display-advert-sandbox"]
    entity = KEY_EMPLOYER.legal_entities[0]
    typer.echo(
        "\nDemo keys (shown once; `apprenticeships keys list` shows them):\n"
        f"  Display advert API, live:    {live}\n"
        f"  Display advert API, sandbox: {sandbox}\n"
        f"  Recruitment API for {KEY_EMPLOYER.name} (legal entity {entity.hashed_id}),\n"
        f"    live:    {issued['recruitment']}\n"
        f"    sandbox: {issued['recruitment-sandbox']}\n"
        f"  Track progress API for {KEY_PROVIDER.name} (UKPRN {KEY_PROVIDER.ukprn}),\n"
        f"    live:    {issued['track-progress']}\n"
        f"    sandbox: {issued['track-progress-sandbox']}\n\n"
        "Try it:\n"
        f"  curl -H 'Ocp-Apim-Subscription-Key: {live}' -H 'X-Version: 2' "
        f"'{url}/vacancies/vacancy?Lat=53.7997&Lon=-1.5492&DistanceInMiles=20&Sort=DistanceAsc'\n"
        f"  curl -H 'Ocp-Apim-Subscription-Key: {live}' -H 'X-Version: 2' "
        f"{url}/vacancies/referencedata/courses/routes\n"
        f"  curl -H 'Ocp-Apim-Subscription-Key: {sandbox}' -H 'X-Version: 2' "
        f"{url}/sandbox/vacancies/vacancy\n"
        f"  curl -H 'Ocp-Apim-Subscription-Key: {issued['recruitment']}' -H 'X-Version: 1' "
        f"{url}/managevacancies/accountlegalentities\n"
        f"  curl -H 'Ocp-Apim-Subscription-Key: {issued['track-progress']}' -H 'X-Version: 1' "
        f"{url}/trackprogress/courses/174/ksbs\n"
        "  (the README shows a POST /managevacancies/vacancy/{id} to the sandbox; the demo\n"
        "  manifest lists apprenticeship records and KSB ids for the Track progress API)\n"
    )


@app.command("sign-ins")
def sign_ins() -> None:
    """Print the portal's address and the demo people's sign-ins (an employer Owner, a
    provider Account owner, the independent developer, a platform admin), whose
    passwords `demo seed` generated and keeps in var/demo-passwords.json."""
    try:
        settings = load_settings()
        passwords = load_passwords(settings.var_dir)
    except (CliError, DomainError) as error:
        fail(str(error))
    if passwords is None or any(person.key not in passwords for person in DEMO_PEOPLE):
        fail("no demo sign-ins yet: run `apprenticeships demo seed` first")
    width = max(len(person.email) for person in DEMO_PEOPLE)
    lines = [
        f"  {person.email:<{width}}  {passwords[person.key]}   {person.description}"
        for person in DEMO_PEOPLE
    ]
    typer.echo(
        f"\nPortal: {settings.public_url}/portal\n"
        f"Demo sign-ins (email, password; kept in {settings.var_dir / PASSWORDS_FILE}):\n"
        + "\n".join(lines)
        + "\n"
    )
