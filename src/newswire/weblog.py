"""gunicorn's access log, without partners' API keys.

Feed readers can only send a key in the URL (``?key=…``), and an access log line
holds the request line, the query string and the Referer: keys there would be
readable by anyone who reads the logs. They are replaced with ``[hidden]``.

A parameter is hidden by its *decoded* name, as Django reads it: ``?k%65y=``,
``?%6B%65%79=`` and ``?KEY=`` are all ``key`` here (Django decodes the name and
accepts the first two). Separators and ``=`` may themselves be percent-encoded,
once or more (a URL inside another URL's query: ``?next=%2Ffeeds%3Fkey%3D…``).
"""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import unquote_plus

from gunicorn.glogging import Logger

# one query parameter: a separator (?, &, ; or one of them percent-encoded, at any depth),
# a name of URL characters or %XX escapes, "=" (or its encoding), and the value up to the
# next separator. The name is decoded and compared in _hide, not here.
_ENC = r"%(?:25)*"
_PARAM = re.compile(
    rf"(?P<sep>^|[?&;]|{_ENC}(?:3[Ff]|26|3[Bb]))"
    r"(?P<name>(?:[A-Za-z0-9_.~+\-!*'()]|%[0-9A-Fa-f]{2}){1,64}?)"
    rf"(?P<eq>=|{_ENC}3[Dd])"
    rf"(?P<value>(?:(?!{_ENC}(?:26|3[Bb]|3[Ff]))[^&;\s\"#])*)"
)


def _decoded(name: str) -> str:
    """The name as a server would read it after any number of decodings."""
    for _ in range(4):
        plain = unquote_plus(name)
        if plain == name:
            break
        name = plain
    return name.strip().lower()


def _hide(m: re.Match[str]) -> str:
    if _decoded(m["name"]) != "key":
        return m[0]
    return f"{m['sep']}{m['name']}{m['eq']}[hidden]"


def redact(text: str) -> str:
    return _PARAM.sub(_hide, text)


class RedactingLogger(Logger):  # type: ignore[misc]
    def atoms(self, resp: Any, req: Any, environ: Any, request_time: Any) -> dict[str, Any]:
        atoms: dict[str, Any] = super().atoms(resp, req, environ, request_time)
        for name, value in atoms.items():  # request line, query, Referer, any header or environ
            if isinstance(value, str) and ("=" in value or "%" in value):
                atoms[name] = redact(value)
        return atoms
