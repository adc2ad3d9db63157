"""What ``newswire demo`` loads: the seed story and its terms, and the sample wire's stories.

Everything comes from ``newswire/demo/`` inside the package, so the demo runs
from a clone of the repository alone. Loading twice changes nothing: stories
are matched by ``uri``, the terms and the admin login are kept once made.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.files.base import ContentFile
from django.db import transaction

from .importer import ImportReport, check_fields, import_file, upsert
from .models import Licence, Media, Story, Terms
from .ninjs import fields_from_ninjs
from .seed import draw_logo, parse_seed

SEED_URI = "urn:newswire:seed:dcnf-iraq-hmc"


@dataclass
class DemoLogin:
    username: str
    password: str
    created: bool


def demo_folder() -> Path:
    return Path(str(resources.files("newswire") / "demo"))


def initials(name: str) -> str:
    return "".join(w[0] for w in name.split() if w[:1].isupper())


@transaction.atomic
def load_seed() -> tuple[Story, Terms, bool]:
    """Load the seed story, and its terms if the wire has none. Return (story, terms, new)."""
    item, terms_data = parse_seed(
        (demo_folder() / "seed" / "story.txt").read_text("utf-8"), uri=SEED_URI
    )
    terms = Terms.objects.filter(pk=1).first()
    if terms is None:
        terms = Terms(
            wire=terms_data["wire"],
            affiliation=terms_data["affiliation"],
            site=settings.SITE_URL,
            logo_alt=terms_data["logo"]["alt"],
            required=terms_data["required"],
            allowed_edits=terms_data["allowed_edits"],
            restricted_credits=terms_data["restricted_credits"],
            contact=terms_data["contact"],
            text=terms_data["text"],
        )
        terms.logo.save(
            "wire-logo.svg", ContentFile(draw_logo(terms.wire, initials(terms.wire))), save=False
        )
        terms.save()
    new = not Story.objects.filter(uri=SEED_URI).exists()
    fields = fields_from_ninjs(item)
    check_fields(fields)
    _, story, _ = upsert(fields, terms, "demo/seed/story.txt")
    if not story.media.exists() and item.get("associations"):
        assoc = item["associations"][0]
        licence, _ = Licence.objects.get_or_create(
            name=assoc["usageterms"][:200],
            defaults={"usage_terms": assoc["usageterms"], "redistributable": False},
        )
        media = Media(
            story=story,
            credit=assoc["by"],
            copyright_holder=assoc["copyrightholder"],
            licence=licence,
        )
        # The scrape kept the photo's credit, not the photo: show a drawn stand-in.
        media.file.save("seed-photo.svg", ContentFile(_placeholder_photo(assoc["by"])), save=False)
        media.save()
    return story, terms, new


def _placeholder_photo(credit: str) -> bytes:
    from xml.sax.saxutils import escape

    return (
        '<svg xmlns="http://www.w3.org/2000/svg" width="960" height="540" viewBox="0 0 960 540">'
        '<rect width="960" height="540" fill="#cfd6dd"/>'
        '<text x="480" y="270" font-family="sans-serif" font-size="28" text-anchor="middle" '
        f'fill="#3a4450">Photo: {escape(credit)} (stand-in)</text></svg>\n'
    ).encode()


def load_sample_stories() -> ImportReport:
    return import_file(demo_folder() / "stories.jsonl", skip_bad=True)


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
