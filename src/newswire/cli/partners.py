"""`newswire partners ...`: the partners, and the WordPress sites stories are pushed to."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import click

from .base import EXIT_UNUSABLE, _django, _migrate, _warn, cli


@cli.group()
def partners() -> None:
    """The partners, and the WordPress sites newswire pushes stories to."""


def _partner(given: str) -> Any:
    """A partner by its id or one of its domains; exits naming what was not found."""
    from ..partners.models import Partner, PartnerDomain

    if given.isdigit():
        partner = Partner.objects.filter(pk=int(given)).first()
    else:
        domain = PartnerDomain.objects.filter(domain=given.lower().removeprefix("www.")).first()
        partner = domain.partner if domain else None
    if partner is None:
        _warn(f"no partner has the id or the domain {given!r} (see `newswire partners list`)")
        sys.exit(EXIT_UNUSABLE)
    return partner


@partners.command("list")
def partners_list() -> None:
    """Each partner: id, status, domains, and its WordPress if connected."""
    _django()
    _migrate()
    from ..partners.models import Partner

    for p in Partner.objects.prefetch_related("domains").order_by("name"):
        site = getattr(p, "wordpress", None)
        domains = ", ".join(d.domain for d in p.domains.all()) or "no domain"
        line = f"{p.pk:>4}  {p.name} ({p.get_status_display().lower()}; {domains})"
        if site is not None:
            desks = ", ".join(site.desks) or "all desks"
            line += (f"\n      WordPress {site.url} as {site.user}: stories arrive "
                     f"{site.get_arrive_as_display()}, {desks}")  # fmt: skip
        click.echo(line)


@partners.command("connect-wordpress")
@click.argument("partner")
@click.argument("url")
@click.option("--user", required=True, help="The WordPress user the posts are made as.")
@click.option("--password-file", required=True, type=click.Path(dir_okay=False, path_type=Path),
              help="A file holding its application password (Users > Profile in WordPress); "
                   "'-' reads it from standard input.")  # fmt: skip
@click.option("--status", type=click.Choice(["draft", "publish"]), default="draft",
              show_default=True, help="Stories arrive as drafts, or published.")  # fmt: skip
@click.option("--desk", "desks", multiple=True, help="Only this desk's stories (repeatable).")
@click.option("--withdraw-to", type=click.Choice(["draft", "trash"]), default="draft",
              show_default=True, help="Where a withdrawn story's post goes.")  # fmt: skip
def connect_wordpress(partner: str, url: str, user: str, password_file: Path, status: str,
                      desks: tuple[str, ...], withdraw_to: str) -> None:  # fmt: skip
    """Connect PARTNER's WordPress at URL (PARTNER: its id or one of its domains).

    The site is asked who the user is at once; the password is kept only if it works, and
    only encrypted. Stories released from now on are pushed by `newswire worker`.
    """
    _django()
    _migrate()
    from ..distribution.wordpress import WordPressError, connect

    who = _partner(partner)
    try:
        raw = sys.stdin.read() if str(password_file) == "-" else password_file.read_text()
    except OSError as exc:
        _warn(f"{password_file}: cannot read the password file: {exc.strerror}")
        sys.exit(EXIT_UNUSABLE)
    password = raw.strip()
    if not password:
        _warn(f"{password_file}: the password file is empty")
        sys.exit(EXIT_UNUSABLE)
    try:
        site = connect(who, url, user, password, arrive_as=status, desks=list(desks),
                       withdraw_as=withdraw_to)  # fmt: skip
    except Exception as exc:  # WordPressError, or a URL the form would refuse
        if not isinstance(exc, WordPressError):
            raise
        _warn(f"{url}: not connected: {exc}")
        sys.exit(EXIT_UNUSABLE)
    arrive = site.get_arrive_as_display()
    desks_said = f", desks: {', '.join(site.desks)}" if site.desks else ""
    click.echo(f"{who.name}: connected to {site.url} as {site.user}; stories arrive "
               f"{arrive}{desks_said}")  # fmt: skip


@partners.command("disconnect-wordpress")
@click.argument("partner")
def disconnect_wordpress(partner: str) -> None:
    """Forget PARTNER's WordPress and its password (its posts stay on its site)."""
    _django()
    _migrate()
    from ..distribution.wordpress import disconnect

    who = _partner(partner)
    if disconnect(who):
        click.echo(f"{who.name}: WordPress disconnected, its password deleted")
    else:
        click.echo(f"{who.name}: had no WordPress connected")
