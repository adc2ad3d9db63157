"""What ``newswire demo`` loads: the demo wire (the seed story's wire), its terms and stories.

Everything comes from ``newswire/demo/`` inside the package, so the demo runs
from a clone of the repository alone. Loading twice changes nothing: stories
are matched by ``uri``, the terms and the admin login are kept once made.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from urllib.parse import urlsplit

from django.contrib.auth import get_user_model
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction

from ..wire.importer import ImportReport, import_file, load_terms_file
from ..wire.models import Story, Terms
from .seed import draw_logo

SEED_URI = "urn:newswire:seed:dcnf-iraq-hmc"


@dataclass
class DemoLogin:
    username: str
    password: str
    created: bool


def demo_folder() -> Path:
    return Path(str(resources.files("newswire.demo")))


def initials(name: str) -> str:
    return "".join(w[0] for w in name.split() if w[:1].isupper())


@transaction.atomic
def load_demo_wire(
    terms_path: Path | None = None, stories_path: Path | None = None
) -> tuple[Story, Terms, ImportReport]:
    """Load the demo wire: its terms (once), its stories, and a stand-in for the seed's photo.

    The demo wire is the seed story's wire: ``terms.json`` holds the seed's terms
    and ``stories.jsonl`` the seed story and the sample stories, all credited to
    it (``scripts/make_demo_sample.py`` made both). Return (seed story, terms, report).
    """
    folder = demo_folder()
    terms = Terms.objects.filter(pk=1).first()
    if terms is None:
        terms = Terms()
        load_terms_file(terms_path or folder / "terms.json", terms)
        # the wire's logo is known by its alt text only: draw a wordmark, served from here,
        # under the logo's own file name (so copies that carry the logo's file match it)
        name = f"{Path(urlsplit(terms.logo_url).path).stem or 'wire-logo'}.svg"
        terms.logo_url = ""
        default_storage.delete(f"brand/{name}")  # a file left by an earlier database
        terms.logo.save(name, ContentFile(draw_logo(terms.wire, initials(terms.wire))), save=False)
        terms.save()
    # only what is missing: a second run must never change a story an editor has touched
    # since (an embargo set, a correction made), nor send a partner a "correction"
    report = import_file(stories_path or folder / "stories.jsonl", skip_bad=True, only_new=True)
    story = Story.objects.get(uri=SEED_URI)
    photo = story.media.first()
    if photo is not None and not photo.file:
        # The scrape kept the photo's credit, not the photo: show a drawn stand-in,
        # under the file name the wire's page gives it.
        name = f"{Path(urlsplit(photo.url).path).stem or 'seed-photo'}.svg"
        photo.file.save(name, ContentFile(_placeholder_photo(photo.credit)), save=False)
        photo.save()
    return story, terms, report


def _placeholder_photo(credit: str) -> bytes:
    from xml.sax.saxutils import escape

    return (
        '<svg xmlns="http://www.w3.org/2000/svg" width="960" height="540" viewBox="0 0 960 540">'
        '<rect width="960" height="540" fill="#cfd6dd"/>'
        '<text x="480" y="270" font-family="sans-serif" font-size="28" text-anchor="middle" '
        f'fill="#3a4450">Photo: {escape(credit)} (stand-in)</text></svg>\n'
    ).encode()


def load_demo_partners(data_dir: Path) -> list[DemoLogin]:
    """Approve the demo's partners once (fictional outlets on ``.example`` hosts, whose
    sites carry copies in the sample crawl); each gets a partner login, kept in
    ``DATA/demo-partner-logins.txt`` (0600)."""
    import json

    from ..partners.models import Application

    user_model = get_user_model()
    logins_file = data_dir / "demo-partner-logins.txt"
    kept = dict(
        line.split(":", 1)
        for line in (logins_file.read_text().split() if logins_file.exists() else [])
    )
    logins = []
    for entry in json.loads((demo_folder() / "partners.json").read_text("utf-8")):
        application = Application.objects.filter(outlet=entry["outlet"]).first()
        if application is None:
            application = Application.objects.create(
                outlet=entry["outlet"], website=entry["website"], country=entry["country"],
                monthly_readers=entry["monthly_readers"], contact_name=entry["contact_name"],
                contact_email=entry["contact_email"], agreed_to_terms=True,
                audience_evidence="Demo partner: readership as stated.",
                site_checked=True, audience_checked=True, contact_verified=True,
            )  # fmt: skip
        partner = application.approve(by=None)
        name = entry["login"]
        if not user_model.objects.filter(username=name).exists():
            kept[name] = secrets.token_urlsafe(12)
            user = user_model.objects.create_user(name, entry["contact_email"], kept[name])
            partner.members.add(user)
        logins.append(DemoLogin(name, kept.get(name, "(set earlier)"), created=False))
    data_dir.mkdir(parents=True, exist_ok=True)
    logins_file.write_text("".join(f"{k}:{v}\n" for k, v in kept.items()))
    logins_file.chmod(0o600)
    return logins


def ensure_admin(data_dir: Path) -> DemoLogin:
    """Create the demo's admin login once; keep its password in ``DATA/demo-login.txt`` (0600)."""
    user_model = get_user_model()
    login_file = data_dir / "demo-login.txt"
    if user_model.objects.filter(username="admin").exists():
        if login_file.exists():
            username, _, password = login_file.read_text().strip().partition(":")
            return DemoLogin(username, password, created=False)
        return DemoLogin(
            "admin", "(set earlier; `newswire manage changepassword admin` resets it)", False
        )
    password = secrets.token_urlsafe(12)
    user_model.objects.create_superuser("admin", "admin@localhost", password)
    data_dir.mkdir(parents=True, exist_ok=True)
    login_file.write_text(f"admin:{password}\n")
    login_file.chmod(0o600)
    return DemoLogin("admin", password, created=True)
