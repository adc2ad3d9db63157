from __future__ import annotations

from typing import Any

from django import forms
from django.core.validators import MaxValueValidator

from .models import Application, Partner


class ApplicationForm(forms.ModelForm[Application]):
    agreed_to_terms = forms.BooleanField(
        required=True,
        label="We agree to the terms: every copy carries the logo, the byline with the "
        "affiliation, and a link to the original, and leaves out restricted photos.",
    )

    class Meta:
        model = Application
        fields = [
            "outlet", "website", "country", "monthly_readers", "audience_evidence",
            "contact_name", "contact_email", "agreed_to_terms",
        ]  # fmt: skip
        widgets = {"audience_evidence": forms.Textarea(attrs={"rows": 4})}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        readers = self.fields["monthly_readers"]
        readers.validators.append(MaxValueValidator(10_000_000_000))
        readers.widget.attrs["max"] = 10_000_000_000


class KeyForm(forms.Form):
    name = forms.CharField(max_length=100, help_text='What the key is for, e.g. "CMS feed import".')


class WebhookForm(forms.ModelForm[Partner]):
    class Meta:
        model = Partner
        fields = ["webhook_url"]

    def clean_webhook_url(self) -> str:
        """Early word on a URL the safe fetcher would refuse (it checks again at each send)."""
        from django.conf import settings

        from ..fetch import FetchPolicy, url_refusal

        url: str = self.cleaned_data["webhook_url"]
        why = url and url_refusal(url, FetchPolicy.from_settings(settings))
        if why:
            raise forms.ValidationError(f"Notices go to public web addresses only: {why}.")
        return url


class WordPressForm(forms.Form):
    """A partner's WordPress: its address, a user and an application password."""

    url = forms.URLField(label="Your WordPress site's address", max_length=500,
                         assume_scheme="https")  # fmt: skip
    user = forms.CharField(
        label="WordPress user",
        max_length=150,
        help_text="The user our posts are made as (an Editor or Author).",
    )
    password = forms.CharField(
        label="Application password", max_length=200, strip=True,
        widget=forms.PasswordInput(render_value=False),
        help_text="Made in WordPress under Users › Profile › Application Passwords. We keep it "
        "encrypted and never show it again; remove it here at any time.",
    )  # fmt: skip
    arrive_as = forms.ChoiceField(
        label="Stories arrive",
        choices=[("draft", "as drafts: you publish them"), ("publish", "published at once")],
    )
    desks = forms.CharField(label="Only these desks", required=False, max_length=500,
                            help_text="Comma-separated (empty: every desk).")  # fmt: skip
    withdraw_as = forms.ChoiceField(
        label="A withdrawn story's post goes",
        choices=[("draft", "back to a draft"), ("trash", "to the trash")],
    )

    def clean_url(self) -> str:
        from django.conf import settings

        from ..fetch import FetchPolicy, url_refusal

        url: str = self.cleaned_data["url"]
        why = url_refusal(url, FetchPolicy.from_settings(settings))
        if why:
            raise forms.ValidationError(f"We reach public web addresses only: {why}.")
        return url

    def desk_list(self) -> list[str]:
        return [d.strip() for d in self.cleaned_data.get("desks", "").split(",") if d.strip()]
