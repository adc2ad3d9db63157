"""The partner program's e-mails (Django's e-mail backend: the console in development)."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.base_user import AbstractBaseUser
from django.contrib.auth.tokens import default_token_generator
from django.core import signing
from django.core.mail import send_mail
from django.urls import reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from ..wire.models import Terms
from ..wire.sanitize import one_line
from .models import Application

VERIFY_SALT = "newswire.partners.verify-contact"
VERIFY_MAX_AGE = 14 * 24 * 3600


def verify_token(application: Application) -> str:
    return signing.dumps({"a": application.pk, "e": application.contact_email}, salt=VERIFY_SALT)


def send_confirmation(application: Application) -> None:
    terms = Terms.current()
    link = settings.SITE_URL + reverse("partners:verify", args=[verify_token(application)])
    send_mail(
        subject=one_line(f"{terms.wire}: we received your application to republish"),
        message=(
            f"Dear {application.contact_name},\n\n"
            f"Thank you for applying to republish {terms.wire}'s stories in {application.outlet}.\n"
            f"Please confirm this address by opening:\n\n{link}\n\n"
            "An editor will look at your site and audience and write to you with a decision.\n"
        ),
        from_email=None,
        recipient_list=[application.contact_email],
    )


def send_approval(application: Application, user: AbstractBaseUser) -> None:
    terms = Terms.current()
    uid = urlsafe_base64_encode(force_bytes(user.pk))
    token = default_token_generator.make_token(user)
    link = settings.SITE_URL + reverse("partners:set_password", args=[uid, token])
    send_mail(
        subject=one_line(f"{terms.wire}: {application.outlet} is approved"),
        message=(
            f"Dear {application.contact_name},\n\n"
            f"{application.outlet} can now republish {terms.wire}'s stories.\n"
            "Set your password here, then create an API key for your feeds and the API:\n\n"
            f"{link}\n\n"
            f"Your user name is {user.get_username()}.\n"
        ),
        from_email=None,
        recipient_list=[application.contact_email],
    )


def send_rejection(application: Application, reason: str) -> None:
    terms = Terms.current()
    send_mail(
        subject=one_line(f"{terms.wire}: your application to republish"),
        message=(
            f"Dear {application.contact_name},\n\n"
            f"We cannot approve {application.outlet} for now.\n\n"
            f"Reason: {reason}\n\nYou are welcome to apply again when this changes.\n"
        ),
        from_email=None,
        recipient_list=[application.contact_email],
    )
