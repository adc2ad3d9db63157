"""The access log's redaction: every spelling of ``key`` that Django reads as the key."""

from __future__ import annotations

import pytest
from django.http import QueryDict

from newswire.weblog import redact

SECRET = "abcdef012345.THIS-IS-THE-SECRET-PART"


@pytest.mark.parametrize(
    "name",
    ["key", "KEY", "Key", "k%65y", "%6Bey", "%6b%65%79", "K%45Y", "k%2565y", "key%20", "+key"],
)
@pytest.mark.parametrize(
    "template",
    [
        "GET /feeds/rss/?{name}={secret} HTTP/1.1",
        "GET /api/v1/stories?limit=1&{name}={secret}&x=2 HTTP/1.1",
        "GET /api/v1/stories?a=1;{name}={secret} HTTP/1.1",
        "{name}={secret}",  # the query string alone
        "https://partner.example/read?next=%2Ffeeds%3F{name}%3D{secret}%26x%3D1",  # a Referer
        "https://partner.example/read?next=%252Ffeeds%253F{name}%253D{secret}",
    ],
)
def test_every_spelling_of_the_key_is_hidden(name, template):
    line = template.format(name=name, secret=SECRET)
    out = redact(line)
    assert "THIS-IS-THE-SECRET" not in out and "[hidden]" in out, out


@pytest.mark.parametrize("name", ["k%65y", "%6Bey", "%6b%65%79", "key"])
def test_the_names_hidden_include_every_one_django_reads_as_the_key(name):
    """The reason for decoding: Django hands these to ``request.GET["key"]``."""
    assert QueryDict(f"{name}={SECRET}").get("key") == SECRET
    assert "THIS-IS" not in redact(f"GET /feeds/rss/?{name}={SECRET} HTTP/1.1")


def test_other_parameters_are_left_as_they_are():
    line = "GET /api/v1/stories?keyword=a&monkey=b&limit=1&q=key%3Dx HTTP/1.1"
    assert redact(line) == line
    assert (
        redact('"GET /?key=s3cret&keep=yes HTTP/1.1"') == '"GET /?key=[hidden]&keep=yes HTTP/1.1"'
    )
