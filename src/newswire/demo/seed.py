"""The seed story: a real syndicated article as scraped from its page (``demo/seed/story.txt``),
turned into a ninjs story and the wire's terms.

The scrape's layout (see the demo README): headline; the photo credit in
parentheses; the logo's alt text; "NAME TITLE" byline; page chrome ("Font
Size:"); the body; the terms as the last paragraph.
"""

from __future__ import annotations

import re
from typing import Any

CHROME_LINES = {"font size:"}
# Words that start a job title in a byline with no comma between name and title.
TITLE_WORDS = (
    "Investigative", "Senior", "Chief", "Staff", "Contributing", "Political", "White",
    "Reporter", "Correspondent", "Editor", "Writer", "Columnist", "Producer", "Associate",
    "National", "Foreign", "Legal", "Health", "Education", "Science", "Business",
)  # fmt: skip


def split_name_title(line: str) -> tuple[str, str]:
    """Split a byline with no comma after the name.

    "Micaela Burrow Investigative Reporter, Defense"
    → ("Micaela Burrow", "Investigative Reporter, Defense")
    """
    words = line.split()
    for i, word in enumerate(words[1:], start=1):
        if word.strip(",") in TITLE_WORDS:
            return " ".join(words[:i]), " ".join(words[i:])
    return line.strip(), ""


def parse_seed(
    text: str, *, uri: str = "urn:newswire:seed:1"
) -> tuple[dict[str, Any], dict[str, Any]]:
    """Return (ninjs story, terms dict) from the seed scrape."""
    lines = [line.strip() for line in text.splitlines()]
    nonempty = [line for line in lines if line]
    headline = nonempty[0]
    credit_line = next((line for line in nonempty if re.fullmatch(r"\(Photo by .+\)", line)), "")
    logo_alt = next((line for line in nonempty if line.lower().endswith(" logo")), "")
    after_logo = nonempty[nonempty.index(logo_alt) + 1] if logo_alt else ""
    name, title = split_name_title(after_logo)
    terms_par = nonempty[-1]
    start = nonempty.index(after_logo) + 1 if after_logo else 1
    body = [line for line in nonempty[start:-1] if line.lower() not in CHROME_LINES]
    # an inline "(RELATED: …)" link belongs to the scraped page, not to the story
    body = [re.sub(r"\s*\(RELATED: [^)]*\)", "", p).strip() for p in body]
    wire_m = re.search(r"created by the (.+?), an? ", terms_par)
    wire = wire_m.group(1) if wire_m else logo_alt.removesuffix(" logo")
    aff_m = re.search(r"their (\w+) affiliation", terms_par)
    affiliation = aff_m.group(1) if aff_m else wire
    required = [
        check
        for check, pattern in (
            ("logo", r"our logo"),
            ("byline", r"byline"),
            ("affiliation", r"affiliation"),
        )
        if re.search(pattern, terms_par)
    ]
    credit = credit_line.strip("()").removeprefix("Photo by ").strip()
    agency = credit.rsplit("/", 1)[-1].strip() if "/" in credit else ""
    item: dict[str, Any] = {
        "standard": {
            "name": "ninjs",
            "version": "2.2",
            "schema": "http://www.iptc.org/std/ninjs/ninjs-schema_2.2.json",
        },
        "uri": uri,
        "type": "text",
        "version": "1",
        "pubstatus": "usable",
        "language": "en",
        "headlines": [{"role": "main", "value": headline}],
        "by": ", ".join(p for p in (name, title) if p),
        "people": [{"name": name, "rel": "author"}],
        "infosources": [{"name": wire, "role": "originator"}],
        "subjects": [{"name": "Defense" if "Defense" in title else "News", "rel": "desk"}],
        "bodies": [
            {
                "role": "main",
                "contenttype": "text/html",
                "value": "".join(f"<p>{p}</p>" for p in body),
            }
        ],
        "usageterms": terms_par,
        "copyrightholder": wire,
    }
    if credit:
        item["associations"] = [
            {
                "name": "featureimage",
                # The scrape kept the credit, not the picture: no URL to give.
                "uri": f"{uri}:featureimage",
                "type": "picture",
                "by": credit,
                "copyrightholder": agency or credit,
                "usageterms": (
                    f"{agency or credit}: licensed to {wire} for its own site; "
                    "not for redistribution."
                ),
            }
        ]
    # Contact: the scrape lost the address after "please contact".
    contact_m = re.search(r"please contact\s+(\S+@\S+)", terms_par)
    terms = {
        "wire": wire,
        "affiliation": affiliation,
        "logo": {"url": "", "alt": logo_alt},
        # The free licence does not cover the agency's photo: keep it off partner copies.
        "restricted_credits": [agency] if agency else [],
        "required": [*required, "restricted_media"] if agency else required,
        "allowed_edits": ["trim_end", "headline"],
        "contact": contact_m.group(1).rstrip(".") if contact_m else "",
        "text": terms_par,
    }
    return item, terms


def draw_logo(name: str, initials: str) -> bytes:
    """An SVG wordmark for a wire whose real logo we only know by its alt text."""
    from xml.sax.saxutils import escape

    size = 22 if len(initials) <= 3 else 15
    return (
        '<svg xmlns="http://www.w3.org/2000/svg" width="320" height="80" viewBox="0 0 320 80" '
        f'role="img" aria-label="{escape(name)} logo">'
        '<rect width="320" height="80" rx="8" fill="#0b2f5b"/>'
        '<rect x="12" y="12" width="56" height="56" rx="6" fill="#e8b33a"/>'
        f'<text x="40" y="49" font-family="Georgia,serif" font-size="{size}" font-weight="700" '
        f'text-anchor="middle" fill="#0b2f5b">{escape(initials[:4])}</text>'
        f'<text x="82" y="47" font-family="Helvetica,Arial,sans-serif" font-size="15" '
        f'fill="#ffffff">{escape(name[:34])}</text>'
        "</svg>\n"
    ).encode()
