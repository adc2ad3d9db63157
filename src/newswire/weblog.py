"""gunicorn's access log, without partners' API keys.

Feed readers can only send a key in the URL (``?key=…``), and an access log line
holds the request line, the query string and the Referer: keys there would be
readable by anyone who reads the logs. They are replaced with ``key=[hidden]``.
"""

from __future__ import annotations

import re
from typing import Any

from gunicorn.glogging import Logger

KEY_IN_QUERY = re.compile(r"(?i)((?:^|[?&;]|%3F|%26)key=)[^&;\s\"]*")


def redact(text: str) -> str:
    return KEY_IN_QUERY.sub(r"\1[hidden]", text)


class RedactingLogger(Logger):  # type: ignore[misc]
    def atoms(self, resp: Any, req: Any, environ: Any, request_time: Any) -> dict[str, Any]:
        atoms: dict[str, Any] = super().atoms(resp, req, environ, request_time)
        for name, value in atoms.items():  # request line, query, Referer, any header or environ
            if isinstance(value, str) and "key=" in value.lower():
                atoms[name] = redact(value)
        return atoms
