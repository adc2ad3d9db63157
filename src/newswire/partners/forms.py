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
