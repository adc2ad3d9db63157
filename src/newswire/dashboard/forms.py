from __future__ import annotations

from django import forms

from ..wire.models import http_url
from ..wire.sanitize import holds_breaks

MAX_URLS = 10


class CheckForm(forms.Form):
    urls = forms.CharField(
        label="Page URLs",
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=f"One per line, at most {MAX_URLS}. Each page is fetched now, through the "
        "safe fetcher (public addresses only, robots.txt obeyed), and checked.",
    )

    def clean_urls(self) -> list[str]:
        lines = [u.strip() for u in self.cleaned_data["urls"].splitlines() if u.strip()]
        if len(lines) > MAX_URLS:
            raise forms.ValidationError(f"At most {MAX_URLS} URLs at a time.")
        problems = []
        for n, url in enumerate(lines, start=1):
            try:
                http_url(url)
            except forms.ValidationError as exc:
                said = exc.messages[0] if exc.messages else ""
                why = said.replace(str(http_url.message), "").strip(" ()")  # (the reason, if any)
                problems.append(f"line {n}: {url[:100]!r} is not an http(s) URL newswire can "
                                f"check{': ' + why if why else ''}")  # fmt: skip
        if problems:
            raise forms.ValidationError(problems)
        return lines


class ExplainForm(forms.Form):
    """One page to explain, and optionally the story to follow through every step."""

    url = forms.CharField(label="Page URL", max_length=2000, validators=[http_url])
    story = forms.CharField(
        label="Story (optional)",
        required=False,
        max_length=300,
        help_text="Its headline (or a part of it) or its address on our site: it is followed "
        "through every step, even where the scan would have stopped.",
    )


def one_line_subject(value: str) -> None:
    """An e-mail subject is one line: a line break or other control character is refused
    here, in words, rather than making a message that cannot be sent."""
    if holds_breaks(value):
        raise forms.ValidationError("A subject is one line: remove the line break or control "
                                    "character from it.")  # fmt: skip


class NoticeForm(forms.Form):
    to = forms.EmailField(label="To")
    subject = forms.CharField(max_length=300, validators=[one_line_subject])
    body = forms.CharField(widget=forms.Textarea(attrs={"rows": 24}))


class InviteForm(forms.Form):
    """An invitation to a site to apply: the address is the editor's to find."""

    to = forms.EmailField(label="Send to", help_text="The site's editor or contact address.")
    subject = forms.CharField(max_length=300, validators=[one_line_subject])
    body = forms.CharField(widget=forms.Textarea(attrs={"rows": 12}))
