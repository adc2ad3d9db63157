"""A table once, shown as HTML or exported as CSV with the same filters.

Each dashboard table is a list of columns and the rows of one page (HTML) or of
all pages (CSV, streamed in chunks so a 200,000-row export holds one chunk).
"""

from __future__ import annotations

import csv
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.http import StreamingHttpResponse
from django.utils import timezone


@dataclass(frozen=True)
class Column:
    key: str
    label: str
    sort: str = ""  # the ORM ordering this column sorts by ("" = not sortable)
    csv: Callable[[Any], Any] | None = None  # the CSV cell (default: row[key] / getattr)


def cell(row: Any, column: Column) -> Any:
    if column.csv is not None:
        return column.csv(row)
    if isinstance(row, dict):
        return row.get(column.key, "")
    return getattr(row, column.key, "")


class _Echo:
    def write(self, value: str) -> str:
        return value


def _safe(value: Any) -> Any:
    """A cell as text; one a spreadsheet would run as a formula starts with an apostrophe."""
    if value is None:
        return ""
    if isinstance(value, datetime):  # the site's time zone, to the second, as the screen shows
        return timezone.localtime(value).strftime("%Y-%m-%d %H:%M:%S")
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value


def csv_response(
    filename: str, columns: list[Column], rows: Iterable[Any]
) -> StreamingHttpResponse:
    writer = csv.writer(_Echo())

    def lines() -> Iterator[str]:
        yield "\ufeff"  # so spreadsheet programs read UTF-8
        yield writer.writerow([c.label for c in columns])
        for row in rows:
            yield writer.writerow([_safe(cell(row, c)) for c in columns])

    response = StreamingHttpResponse(lines(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def ordering(columns: list[Column], requested: str, default: str) -> tuple[str, str]:
    """(the ORM ordering, the sort parameter as shown) for ``?sort=key`` or ``?sort=-key``."""
    key = requested.lstrip("-")
    for column in columns:
        if column.key == key and column.sort:
            desc = requested.startswith("-")
            return ("-" if desc else "") + column.sort, requested
    return default, ""
