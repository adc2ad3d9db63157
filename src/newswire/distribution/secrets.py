"""Secrets newswire must keep and use again (a partner's WordPress application password):
encrypted with Fernet (``cryptography``), never stored or logged in clear.

The key is ``NEWSWIRE_SECRETS_KEY`` (a Fernet key: ``newswire manage shell -c "from
cryptography.fernet import Fernet; print(Fernet.generate_key().decode())"``) when it is set,
so that a leaked database and a leaked ``SECRET_KEY`` are not enough; otherwise one derived
from ``SECRET_KEY`` with HKDF, for its own purpose. Changing the key makes the stored
passwords unreadable: the partners connect again (the page says so).
"""

from __future__ import annotations

import base64

from cryptography.fernet import Fernet, InvalidToken
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings


class SecretLost(Exception):
    """The stored secret cannot be read with this server's key."""


def _fernet() -> Fernet:
    given = getattr(settings, "NEWSWIRE_SECRETS_KEY", "") or ""
    if given:
        return Fernet(given.encode())
    key = HKDF(algorithm=hashes.SHA256(), length=32, salt=b"newswire",
               info=b"newswire: partners' WordPress application passwords").derive(
        settings.SECRET_KEY.encode())  # fmt: skip
    return Fernet(base64.urlsafe_b64encode(key))


def seal(plain: str) -> str:
    return _fernet().encrypt(plain.encode()).decode()


def unseal(token: str) -> str:
    try:
        return _fernet().decrypt(token.encode()).decode()
    except (InvalidToken, ValueError):
        raise SecretLost(
            "the stored password cannot be read with this server's key (the key changed): "
            "connect the site again"
        ) from None
