"""The operator's command line: ``apprenticeships --help``.

Each command is one unit of work: it commits when it finishes and rolls back if it
fails. Expected failures print one line to stderr and exit 1; never a stack trace.
"""

from __future__ import annotations

import asyncio
import getpass
import io
import json
import os
import socket
import sys
import time
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated, Any, NoReturn, TypeVar

import typer
from pydantic import ValidationError
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn
from rich.table import Table
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError, OperationalError
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from apprenticeships.accounts.service import AccountService, OwnerRef
from apprenticeships.catalog.lifecycle import VersionState
from apprenticeships.catalog.products import (
    Environment,
    parse_product_reference,
    product_by_id,
    product_reference,
)
from apprenticeships.catalog.service import CatalogService
from apprenticeships.demo.service import KEY_EMPLOYER, KEY_PROVIDER, issue_demo_keys
from apprenticeships.demo.service import seed as seed_demo
from apprenticeships.errors import OperationError
from apprenticeships.geo import importer as geo_importer
from apprenticeships.install import InstallReport, install
from apprenticeships.keys.service import KeyService, parse_duration
from apprenticeships.progress import importer as progress_importer
from apprenticeships.progress.importer import import_apprenticeships
from apprenticeships.recruitment.review import ReviewService
from apprenticeships.referencedata.importer import import_ifate_standards
from apprenticeships.settings import RateLimitRule, Settings
from apprenticeships.storage import migrate
from apprenticeships.storage.engine import create_engine, session_factory, unit_of_work
from apprenticeships.vacancies.vocabulary import AdvertStatus

T = TypeVar("T")

app = typer.Typer(
    help="Run and operate the Apprenticeship Service API platform.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)
db_app = typer.Typer(help="Database schema.", no_args_is_help=True)
accounts_app = typer.Typer(help="Organisations and people.", no_args_is_help=True)
keys_app = typer.Typer(help="API keys.", no_args_is_help=True)
limits_app = typer.Typer(help="Rate-limit overrides.", no_args_is_help=True)
versions_app = typer.Typer(help="API version lifecycle.", no_args_is_help=True)
referencedata_app = typer.Typer(help="Reference data.", no_args_is_help=True)
referencedata_import_app = typer.Typer(
    help="Load official reference data files.", no_args_is_help=True
)
demo_app = typer.Typer(help="Demo data and keys.", no_args_is_help=True)
app.add_typer(db_app, name="db")
app.add_typer(accounts_app, name="accounts")
app.add_typer(keys_app, name="keys")
app.add_typer(limits_app, name="limits")
app.add_typer(versions_app, name="versions")
app.add_typer(referencedata_app, name="referencedata")
referencedata_app.add_typer(referencedata_import_app, name="import")
app.add_typer(demo_app, name="demo")


def _out() -> Console:
    # Piped output is never wrapped, so ids and keys stay whole for scripts.
    return Console() if sys.stdout.isatty() else Console(width=10_000)


class CliError(Exception):
    pass


def _fail(message: str) -> NoReturn:
    typer.echo(f"error: {message}", err=True)
    raise typer.Exit(1)


def _settings() -> Settings:
    try:
        return Settings()
    except ValidationError as error:
        problems = "; ".join(
            f"APPRENTICESHIPS_{'_'.join(str(p) for p in e['loc']).upper()}: {e['msg']}"
            for e in error.errors()
        )
        raise CliError(f"bad setting: {problems}") from None


def _safe_url(url: str) -> str:
    return make_url(url).render_as_string(hide_password=True)


def _is_sqlite(settings: Settings) -> bool:
    return make_url(settings.async_database_url).get_backend_name() == "sqlite"


async def _ensure_schema(engine: AsyncEngine, settings: Settings) -> None:
    if _is_sqlite(settings):
        await install(engine)  # the embedded database looks after itself
        return
    if not await migrate.is_installed(engine):
        raise CliError("the database has no tables yet: run `apprenticeships db upgrade` first")


def _run(work: Callable[[AsyncSession, Settings], Awaitable[T]]) -> T:
    """Run ``work`` in one transaction, turning expected failures into one-line errors."""
    try:
        settings = _settings()

        async def main() -> T:
            engine = create_engine(settings.async_database_url, pool_size=2)
            try:
                await _ensure_schema(engine, settings)
                async with unit_of_work(session_factory(engine)) as session:
                    return await work(session, settings)
            finally:
                await engine.dispose()

        return asyncio.run(main())
    except (OperationError, CliError) as error:
        _fail(str(error))
    except (OperationalError, DBAPIError, ConnectionError, TimeoutError, socket.gaierror) as error:
        target = _safe_url(settings.async_database_url) if "settings" in locals() else "?"
        _fail(f"cannot use the database at {target}: {type(error).__name__}: {_first_line(error)}")
    except OSError as error:  # a file the command reads or writes
        _fail(f"{error.filename or 'file'}: {error.strerror or _first_line(error)}")
    raise AssertionError("unreachable")  # pragma: no cover


def _first_line(error: BaseException) -> str:
    return (str(error).strip().splitlines() or [""])[0][:300]


def _now() -> datetime:
    return datetime.now(UTC)


# -- db ------------------------------------------------------------------------------------


@db_app.command("upgrade")
def db_upgrade() -> None:
    """Apply database migrations and install the shipped reference data (idempotent)."""
    try:
        settings = _settings()

        async def main() -> InstallReport:
            engine = create_engine(settings.async_database_url, pool_size=2)
            try:
                return await install(engine)
            finally:
                await engine.dispose()

        report = asyncio.run(main())
    except CliError as error:
        _fail(str(error))
    except (OperationalError, DBAPIError, OSError) as error:
        _fail(f"cannot migrate the database: {type(error).__name__}: {_first_line(error)}")
    typer.echo(
        f"Database is up to date ({_safe_url(settings.async_database_url)}); "
        f"added {report.releases} releases, {report.routes} routes and "
        f"{report.standards} standards.",
        err=True,
    )


# -- accounts ------------------------------------------------------------------------------


@accounts_app.command("add-employer")
def add_employer(
    name: Annotated[str, typer.Option("--name", help="The employer's name.")],
    account_id: Annotated[
        str | None, typer.Option("--account-id", help="Use this hashed account id (6 characters).")
    ] = None,
) -> None:
    """Create an employer account; prints its hashed account id."""

    async def work(session: AsyncSession, settings: Settings) -> str:
        employer = await AccountService(session).add_employer(name, _now(), account_id)
        return employer.public_id

    typer.echo(_run(work))


@accounts_app.command("add-provider")
def add_provider(
    ukprn: Annotated[str, typer.Option("--ukprn", help="UK provider reference number (8 digits).")],
    name: Annotated[str, typer.Option("--name", help="The provider's name.")],
) -> None:
    """Create a training provider; prints its UKPRN."""

    async def work(session: AsyncSession, settings: Settings) -> str:
        return (await AccountService(session).add_provider(ukprn, name, _now())).public_id

    typer.echo(_run(work))


@accounts_app.command("add-developer")
def add_developer(
    email: Annotated[str, typer.Option("--email", help="The developer's email address.")],
    name: Annotated[str, typer.Option("--name", help="The developer's name.")] = "",
) -> None:
    """Create an independent developer account; prints its account id."""

    async def work(session: AsyncSession, settings: Settings) -> str:
        return (await AccountService(session).add_developer(email, _now(), name)).public_id

    typer.echo(_run(work))


@accounts_app.command("add-admin")
def add_admin(
    email: Annotated[str, typer.Option("--email", help="The admin's email address.")],
) -> None:
    """Make a person a platform admin (creating them if needed)."""

    async def work(session: AsyncSession, settings: Settings) -> str:
        return (await AccountService(session).add_admin(email, _now())).email

    typer.echo(_run(work))


# -- keys ----------------------------------------------------------------------------------

ProductOption = Annotated[
    str,
    typer.Option(
        "--product",
        help="display-advert, recruitment or track-progress; add -sandbox for the sandbox.",
    ),
]
OwnerOption = Annotated[
    str,
    typer.Option("--owner", help="employer:<hashed id>, provider:<ukprn> or developer:<email>."),
]


@keys_app.command("issue")
def keys_issue(
    product: ProductOption,
    owner: OwnerOption,
    name: Annotated[str, typer.Option("--name", help="A name to tell keys apart.")] = "",
) -> None:
    """Issue a key and print it (only the key, on stdout). It is shown this once."""

    async def work(session: AsyncSession, settings: Settings) -> str:
        chosen, environment = parse_product_reference(product)
        issued = await KeyService(session, settings.resolved_secret_key()).issue(
            OwnerRef.parse(owner), chosen, environment, _now(), name
        )
        typer.echo(f"Issued {issued.key_id} ({issued.fragment}).", err=True)
        return issued.secret

    typer.echo(_run(work))


@keys_app.command("list")
def keys_list(
    owner: Annotated[
        str | None,
        typer.Option(
            "--owner", help="Only this owner's keys (employer:…, provider:…, developer:…)."
        ),
    ] = None,
) -> None:
    """List keys (never the keys themselves: ids and visible fragments)."""

    async def work(session: AsyncSession, settings: Settings) -> Table:
        rows = await KeyService(session, settings.resolved_secret_key()).list_keys(
            OwnerRef.parse(owner) if owner else None
        )
        now = _now()
        table = Table(
            "id", "name", "key", "product", "owner", "created", "last used", "uses", "state"
        )
        for row in rows:
            state = "active"
            if row.revoked_at is not None:
                state = f"revoked {row.revoked_at:%Y-%m-%d %H:%M}"
            elif row.expires_at is not None:
                state = (
                    "expires " if row.expires_at > now else "expired "
                ) + f"{row.expires_at:%Y-%m-%d %H:%M}"
            product = product_reference(row.product_id, Environment(row.environment))
            table.add_row(
                row.key_id,
                row.name,
                row.fragment,
                product,
                f"{row.owner_kind}:{row.owner_public_id}",
                f"{row.created_at:%Y-%m-%d %H:%M}",
                f"{row.last_used_at:%Y-%m-%d %H:%M}" if row.last_used_at else "never",
                str(row.usage_count),
                state,
            )
        return table

    _out().print(_run(work))


@keys_app.command("revoke")
def keys_revoke(
    key_id: Annotated[str, typer.Argument(help="The key's id, from `keys list`.")],
) -> None:
    """Stop a key at once, on every process, within a second."""

    async def work(session: AsyncSession, settings: Settings) -> None:
        await KeyService(session, settings.resolved_secret_key()).revoke(key_id, _now())

    _run(work)
    typer.echo(f"Revoked {key_id}.", err=True)


@keys_app.command("rotate")
def keys_rotate(
    key_id: Annotated[str, typer.Argument(help="The key's id, from `keys list`.")],
    grace: Annotated[
        str, typer.Option("--grace", help="How long the old key keeps working: 90s, 15m, 24h, 7d.")
    ] = "24h",
) -> None:
    """Issue a replacement key (printed on stdout); the old one works until the grace ends."""

    async def work(session: AsyncSession, settings: Settings) -> str:
        issued = await KeyService(session, settings.resolved_secret_key()).rotate(
            key_id, parse_duration(grace), _now()
        )
        typer.echo(
            f"Issued {issued.key_id} ({issued.fragment}); {key_id} stops working in {grace}.",
            err=True,
        )
        return issued.secret

    typer.echo(_run(work))


# -- limits --------------------------------------------------------------------------------


@limits_app.command("set")
def limits_set(
    rule: Annotated[str, typer.Argument(metavar="CALLS/SECONDS", help="For example 300/300.")],
    product: ProductOption,
    owner: Annotated[
        str | None, typer.Option("--owner", help="Only this owner's subscription to the product.")
    ] = None,
) -> None:
    """Override the rate limit for a product, or for one owner's subscription to it."""

    async def work(session: AsyncSession, settings: Settings) -> None:
        try:
            parsed = RateLimitRule.parse(rule)
        except ValueError as error:
            raise CliError(str(error)) from None
        chosen, environment = parse_product_reference(product)
        await KeyService(session, settings.resolved_secret_key()).set_limit(
            chosen, environment, parsed, _now(), OwnerRef.parse(owner) if owner else None
        )

    _run(work)
    typer.echo(f"Limit for {product}{' / ' + owner if owner else ''} is now {rule}.", err=True)


# -- versions ------------------------------------------------------------------------------


@versions_app.command("list")
def versions_list() -> None:
    """Show each product's versions: released, current, deprecated until, decommissioned."""

    async def work(session: AsyncSession, settings: Settings) -> Table:
        table = Table("product", "version", "state", "released", "deprecated", "sunset")
        for entry in await CatalogService(session).list_versions(
            _now(), settings.deprecation_months
        ):
            for status in entry.versions:
                table.add_row(
                    entry.product.id,
                    str(status.version),
                    status.state.value,
                    f"{status.released_at:%Y-%m-%d}" if status.released_at else "",
                    f"{status.deprecated_at:%Y-%m-%d}" if status.deprecated_at else "",
                    f"{status.sunset_at:%Y-%m-%d}"
                    if status.sunset_at and status.state is not VersionState.CURRENT
                    else "",
                )
        return table

    _out().print(_run(work))


@versions_app.command("release")
def versions_release(
    product: Annotated[str, typer.Argument(help="display-advert, recruitment or track-progress.")],
) -> None:
    """Release the next version; the previous one is deprecated and then decommissioned."""

    async def work(session: AsyncSession, settings: Settings) -> str:
        chosen = product_by_id(product)
        version = await CatalogService(session).release(chosen, _now())
        return f"Released {chosen.name} version {version}."

    typer.echo(_run(work), err=True)


# -- vacancies -----------------------------------------------------------------------------

vacancies_app = typer.Typer(
    help="Review adverts created through the Recruitment API.", no_args_is_help=True
)
app.add_typer(vacancies_app, name="vacancies")


def _reviewer() -> str:
    try:
        return f"cli:{getpass.getuser()}"
    except (KeyError, OSError):  # no user name in this environment
        return "cli"


@vacancies_app.command("list")
def vacancies_list(
    status: Annotated[
        str,
        typer.Option(help="Submitted (waiting for review) or Review (waiting for the employer)."),
    ] = "Submitted",
) -> None:
    """List adverts waiting for review, oldest first."""
    found = {"submitted": AdvertStatus.SUBMITTED, "review": AdvertStatus.REVIEW}.get(
        status.strip().lower()
    )
    if found is None:
        _fail("--status must be Submitted or Review")
    wanted: AdvertStatus = found

    async def work(session: AsyncSession, settings: Settings) -> Table:
        table = Table(
            "reference", "status", "title", "employer", "provider", "by", "submitted", "closes"
        )
        for item in await ReviewService(session).awaiting((wanted,)):
            table.add_row(
                f"VAC{item.reference}",
                item.status,
                item.title,
                item.employer,
                item.provider,
                item.owner_kind,
                f"{item.submitted_at:%Y-%m-%d %H:%M}" if item.submitted_at else "",
                item.closing_date,
            )
        return table

    _out().print(_run(work))


@vacancies_app.command("approve")
def vacancies_approve(
    reference: Annotated[str, typer.Argument(help="The advert's reference, with or without VAC.")],
) -> None:
    """Approve a submitted advert: it is live in the Display advert API at once."""

    async def work(session: AsyncSession, settings: Settings) -> str:
        vacancy = await ReviewService(session).approve(reference, _reviewer(), _now())
        return f"VAC{vacancy.reference} is live until {vacancy.closing_date.isoformat()}."

    typer.echo(_run(work), err=True)


@vacancies_app.command("reject")
def vacancies_reject(
    reference: Annotated[str, typer.Argument(help="The advert's reference, with or without VAC.")],
    reason: Annotated[str, typer.Option(help="Why, for the advert's owner.")] = "",
) -> None:
    """Reject a submitted advert, saying why."""

    async def work(session: AsyncSession, settings: Settings) -> str:
        vacancy = await ReviewService(session).reject(reference, reason, _reviewer(), _now())
        return f"VAC{vacancy.reference} is rejected."

    typer.echo(_run(work), err=True)


# -- apprenticeship records ----------------------------------------------------------------

apprenticeships_app = typer.Typer(
    help="Apprenticeship records (Track progress).", no_args_is_help=True
)
app.add_typer(apprenticeships_app, name="apprenticeships")


def _import_records(file: Path, skip_invalid: bool) -> None:
    if not file.is_file():
        _fail(f"no such file: {file}")
    bad: list[str] = []

    async def work(session: AsyncSession, settings: Settings) -> str:
        with file.open("rb") as lines:
            try:
                report = await import_apprenticeships(
                    session, lines, _now(), skip_invalid=skip_invalid
                )
            except progress_importer.ImportFileError as error:
                bad.extend(str(line) for line in error.bad)
                raise
        bad.extend(str(line) for line in report.bad)
        return report.summary()

    try:
        summary = _run(work)
    finally:
        for line in bad:
            typer.echo(f"{file}: {line}")
    typer.echo(summary, err=True)


@app.command("import")
def import_file(
    file: Annotated[Path, typer.Argument(help="Apprenticeship records, one JSON object a line.")],
    skip_invalid: Annotated[
        bool, typer.Option("--skip-invalid", help="Load the good lines of a file with bad ones.")
    ] = False,
) -> None:
    """Load apprenticeship records (JSON lines). Every bad line is listed with its number;
    a file with bad lines loads nothing unless --skip-invalid is given."""
    _import_records(file, skip_invalid)


@apprenticeships_app.command("import")
def apprenticeships_import(
    file: Annotated[Path, typer.Argument(help="Apprenticeship records, one JSON object a line.")],
    skip_invalid: Annotated[
        bool, typer.Option("--skip-invalid", help="Load the good lines of a file with bad ones.")
    ] = False,
) -> None:
    """The same as `apprenticeships import FILE`."""
    _import_records(file, skip_invalid)


# -- reference data ------------------------------------------------------------------------


@referencedata_import_app.command("standards")
def import_standards(
    file: Annotated[Path, typer.Argument(help="The IfATE apprenticeship standards JSON file.")],
) -> None:
    """Load standards (and their routes) from the official IfATE standards JSON."""
    if not file.is_file():
        _fail(f"no such file: {file}")

    async def work(session: AsyncSession, settings: Settings) -> str:
        report = await import_ifate_standards(session, file.read_bytes(), _now())
        return report.summary()

    typer.echo(_run(work), err=True)


# -- geo ----------------------------------------------------------------------------------

geo_app = typer.Typer(help="Postcode geocoding data.", no_args_is_help=True)
app.add_typer(geo_app, name="geo")


@geo_app.command("import")
def geo_import(
    file: Annotated[
        Path,
        typer.Argument(
            help="A CSV with postcode (or district), latitude, longitude and country "
            "columns: the ONS Postcode Directory, the NSPL, or a plain file."
        ),
    ],
) -> None:
    """Load postcode and district centres from an open postcode file. They take
    precedence over the shipped district centres. Unusable lines are listed by line
    number; importing the same file again changes nothing."""
    if not file.is_file():
        _fail(f"no such file: {file}")
    try:
        # Replacement characters rather than a failure part-way through a big file: a
        # stray byte can only spoil the line it is on.
        raw = file.open("rb")
        handle = io.TextIOWrapper(raw, encoding="utf-8-sig", errors="replace", newline="")
    except OSError as error:
        _fail(f"cannot read {file}: {error.strerror or error}")
    started = time.monotonic()
    bar = Progress(
        TextColumn("Importing postcodes"),
        BarColumn(),
        TextColumn("{task.percentage:>3.0f}%"),
        TextColumn("{task.fields[lines]:,} lines"),
        TimeRemainingColumn(),
        console=Console(stderr=True),
        transient=True,
    )
    task = bar.add_task("import", total=max(file.stat().st_size, 1), lines=0)

    def report(progress: geo_importer.ImportReport) -> None:
        bar.update(task, completed=raw.tell(), lines=progress.lines)

    async def work(session: AsyncSession, settings: Settings) -> geo_importer.ImportReport:
        return await geo_importer.import_centroids(session, handle, on_batch=report)

    # Only on a terminal: piped output would get nothing but a stray blank line.
    if bar.console.is_terminal:
        bar.start()
    try:
        with handle:
            result = _run(work)
    finally:
        if bar.live.is_started:
            bar.stop()
    for skipped in result.listed:
        typer.echo(f"skipped {skipped}", err=True)
    if (more := result.skipped.total() - len(result.listed)) > 0:
        typer.echo(
            f"skipped {more:,} more lines (only the first {len(result.listed)} are listed)",
            err=True,
        )
    typer.echo(f"{result.summary()[:-1]}; took {time.monotonic() - started:.1f}s.", err=True)


# -- demo ----------------------------------------------------------------------------------

# Below this many adverts seeding takes about a second, and a bar would only flicker.
DEMO_PROGRESS_FROM = 5_000


@demo_app.command("seed")
def demo_seed(
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
        _fail("--vacancies must be 0 or more")
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
        if total >= DEMO_PROGRESS_FROM and bar.console.is_terminal and not bar.live.is_started:
            bar.start()

    async def work(session: AsyncSession, settings: Settings) -> dict[str, Any]:
        return await seed_demo(session, _now(), vacancies=vacancies, progress=report)

    try:
        made = _run(work)
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
            _fail(f"cannot write the manifest to {manifest}: {error.strerror or error}")
    typer.echo(
        f"Demo data ready: {made['vacancies']['live']} live adverts; {added} adverts added "
        f"(live and sandbox) in {time.monotonic() - started:.1f}s"
        + (f"; manifest in {manifest}." if manifest is not None else "."),
        err=True,
    )


@demo_app.command("keys")
def demo_keys() -> None:
    """Issue fresh demo keys (Display advert for the demo developer, Recruitment for the
    first demo employer, Track progress for the first demo provider, each live and
    sandbox) and show how to call the APIs."""

    async def work(session: AsyncSession, settings: Settings) -> tuple[dict[str, str], str]:
        issued = await issue_demo_keys(session, settings.resolved_secret_key(), _now())
        return issued, settings.public_url

    issued, url = _run(work)
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


# -- serve ---------------------------------------------------------------------------------

# How the server runs the app (the benchmark runs its server the same way).
SERVER_OPTIONS: dict[str, Any] = {
    "factory": True,
    "loop": "uvloop",
    "http": "httptools",
    "log_config": None,  # the app's own JSON logging
    "access_log": False,  # the gateway writes its own access log
    "server_header": False,
    "proxy_headers": False,
}


@app.command("serve")
def serve(
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.")] = 8000,
    workers: Annotated[int, typer.Option(help="Server processes; more than 1 needs Redis.")] = 1,
) -> None:
    """Serve the APIs, portal and docs (migrating the embedded SQLite database first)."""
    import uvicorn

    try:
        settings = _settings()
    except CliError as error:
        _fail(str(error))
    if workers < 1:
        _fail("--workers must be at least 1")
    if workers > 1 and not settings.redis_url:
        _fail(
            f"--workers {workers} needs Redis (set APPRENTICESHIPS_REDIS_URL): without it each "
            "process would count rate limits on its own and admit more than the limit"
        )
    if _is_sqlite(settings):

        async def prepare() -> None:
            engine = create_engine(settings.async_database_url, pool_size=2)
            try:
                await install(engine)
            finally:
                await engine.dispose()

        try:
            asyncio.run(prepare())
        except (OperationalError, DBAPIError, OSError) as error:
            _fail(f"cannot prepare the database: {_first_line(error)}")
    # Make sure every worker uses the same secret (generated once into var/).
    settings.resolved_secret_key()
    uvicorn.run(
        "apprenticeships.app:create_app", host=host, port=port, workers=workers, **SERVER_OPTIONS
    )


def main() -> None:
    # Rich wraps long lines; keys must stay on one line to be copied.
    os.environ.setdefault("COLUMNS", "200")
    try:
        app()
    except CliError as error:
        typer.echo(f"error: {error}", err=True)
        sys.exit(1)
