"""The safe fetcher: every refusal against a real server on 127.0.0.1, whose own log shows
whether a request reached it."""

from __future__ import annotations

import ipaddress
import tracemalloc

import pytest

from newswire.fetch import FetchError, FetchPolicy, SafeClient, refusal

from .fakesite import drip, endless, fake_site, gzip_bomb, html, redirect, respond

LOOPBACK = (ipaddress.ip_network("127.0.0.1/32"),)


def names(table: dict[str, list[str]]):
    """A resolver for test host names (anything else is unknown)."""

    def resolve(host: str, port: int) -> list[str]:
        if host in table:
            return table[host]
        try:
            return [str(ipaddress.ip_address(host))]
        except ValueError:
            raise OSError(f"unknown test host {host}") from None

    return resolve


RESOLVE = names(
    {
        "site.test": ["127.0.0.1"],
        "private.test": ["10.0.0.1"],
        "metadata.test": ["169.254.169.254"],
        "mapped.test": ["::ffff:127.0.0.1"],
        "mixed.test": ["93.184.215.14", "127.0.0.1"],
    }
)


def client(allow=LOOPBACK, **kw) -> SafeClient:
    return SafeClient(FetchPolicy(allow=allow, resolver=RESOLVE, **kw))


@pytest.fixture
def site():
    with fake_site() as s:
        s.route("/ok", html("<p>hello</p>"))
        yield s


def test_a_public_looking_page_through_the_allow_list(site):
    with client() as c:
        got = c.get_html(f"http://site.test:{site.port}/ok")
    assert got.status == 200 and b"hello" in got.body and got.address == "127.0.0.1"
    method, path, headers, _ = site.log[0]
    assert (method, path) == ("GET", "/ok")
    assert headers["Host"] == f"site.test:{site.port}"  # the name, though the address was pinned
    assert headers["User-Agent"].startswith("newswire/")


@pytest.mark.parametrize(
    "host, why",
    [
        ("site.test", "loopback"),
        ("127.0.0.1", "loopback"),
        ("private.test", "private"),
        ("metadata.test", "link-local"),
        ("mapped.test", "wraps 127.0.0.1 is a loopback"),
        ("mixed.test", "loopback"),  # every address must be public, not just the first
    ],
)
def test_without_the_allow_list_non_public_addresses_are_refused(site, host, why):
    with client(allow=()) as c, pytest.raises(FetchError) as err:
        c.get(f"http://{host}:{site.port}/ok")
    assert err.value.reason == "blocked_address" and why in err.value.message
    assert site.log == []  # the target never saw a request


@pytest.mark.parametrize(
    "address",
    [
        "127.0.0.1", "10.1.2.3", "172.16.0.1", "192.168.1.1", "169.254.169.254", "100.64.0.1",
        "0.0.0.0", "240.0.0.1", "224.0.0.1", "255.255.255.255", "192.0.2.1",
        "::1", "::", "::ffff:127.0.0.1", "::ffff:10.0.0.1", "64:ff9b::7f00:1", "64:ff9b::a00:1",
        "2002:7f00:1::", "2002:a00:1::", "2001:0:4136:e378:8000:63bf:80ff:fffe", "fc00::1",
        "fd12:3456::1", "fe80::1", "fec0::1", "ff02::1",
    ],
)  # fmt: skip
def test_refusal_rules(address):
    assert refusal(address) is not None


@pytest.mark.parametrize("address", ["93.184.215.14", "2606:2800:21f:cb07:6820:80da:af6b:8b2c",
                                     "64:ff9b::5db8:d70e", "::ffff:93.184.215.14"])  # fmt: skip
def test_public_addresses_pass(address):
    assert refusal(address) is None


def test_a_redirect_to_a_blocked_address_is_refused(site):
    site.route("/go", redirect("http://metadata.test/latest/meta-data/"))
    site.route("/go2", redirect("http://10.0.0.1/admin"))
    with client() as c:
        for path in ("/go", "/go2"):
            with pytest.raises(FetchError) as err:
                c.get(f"{site.url}{path}")
            assert err.value.reason == "blocked_address", err.value
            assert "metadata" in err.value.url or "10.0.0.1" in err.value.url


def test_redirects_are_followed_and_counted(site):
    site.route("/a", redirect("/b"))
    site.route("/b", redirect(f"http://site.test:{site.port}/ok", 301))
    for i in range(7):
        site.route(f"/loop{i}", redirect(f"/loop{i + 1}"))
    with client() as c:
        got = c.get(f"{site.url}/a")
        assert got.final_url == f"http://site.test:{site.port}/ok" and b"hello" in got.body
        with pytest.raises(FetchError) as err:
            c.get(f"{site.url}/loop0")
    assert err.value.reason == "too_many_redirects"


@pytest.mark.parametrize("url", ["file:///etc/passwd", "gopher://x/", "javascript:alert(1)",
                                 "http://user:pw@site.test/", "http:///nohost"])  # fmt: skip
def test_only_plain_http_urls(url):
    with client() as c, pytest.raises(FetchError) as err:
        c.get(url)
    assert err.value.reason == "bad_url"


@pytest.mark.parametrize("declare", [True, False])
def test_a_1_gb_body_is_cut_off(site, declare):
    site.route("/big", endless(1024**3, declare=declare))
    with client(max_bytes=2 * 1024 * 1024) as c, pytest.raises(FetchError) as err:
        c.get(f"{site.url}/big")
    assert err.value.reason == "too_large"


@pytest.mark.parametrize("layers", [1, 2])
def test_a_gzip_bomb_stops_at_the_cap_without_inflating(site, layers):
    site.route("/bomb", gzip_bomb(200 * 1024 * 1024, layers))
    tracemalloc.start()
    try:
        with client(max_bytes=1024 * 1024) as c, pytest.raises(FetchError) as err:
            c.get(f"{site.url}/bomb")
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert err.value.reason == "too_large"
    assert peak < 16 * 1024 * 1024, f"peak {peak} bytes while refusing a bomb"


def test_three_stacked_codings_and_unasked_codings_are_refused(site):
    site.route("/three", gzip_bomb(1000, 3))
    site.route("/br", respond(200, b"xx", headers={"Content-Encoding": "br"}))
    with client() as c:
        for path in ("/three", "/br"):
            with pytest.raises(FetchError) as err:
                c.get(f"{site.url}{path}")
            assert err.value.reason == "bad_encoding"


def test_a_gzipped_page_is_decoded(site):
    import gzip

    site.route("/gz", respond(200, gzip.compress(b"<p>zipped</p>"),
                              headers={"Content-Encoding": "gzip"}))  # fmt: skip
    with client() as c:
        assert c.get(f"{site.url}/gz").body == b"<p>zipped</p>"


def test_a_server_that_drips_is_cut_off_by_the_total_deadline(site):
    site.route("/drip", drip(60))
    with client(total_timeout=2.0, read_timeout=5.0) as c, pytest.raises(FetchError) as err:
        c.get(f"{site.url}/drip")
    assert err.value.reason == "timeout"


def test_a_non_html_body_is_refused_for_parsing(site):
    site.route("/img", respond(200, b"\x89PNG....", content_type="image/png"))
    with client() as c, pytest.raises(FetchError) as err:
        c.get_html(f"{site.url}/img")
    assert err.value.reason == "not_html" and "image/png" in err.value.message


def test_environment_proxies_are_ignored(site, monkeypatch):
    monkeypatch.setenv("HTTP_PROXY", "http://10.9.9.9:3128")
    monkeypatch.setenv("ALL_PROXY", "http://10.9.9.9:3128")
    with client() as c:
        assert c.get(f"{site.url}/ok").status == 200


@pytest.mark.parametrize(
    "url",
    [
        "http://0177.0.0.1:18080/",  # octal: httpx refuses to read it (InvalidURL)
        "http://127.000.000.001/",
        "http://①②⑦.0.0.1/",  # no IDNA form
        "http://[::1/",  # urlsplit's ValueError
        "http://site.test:99999/",  # port out of range
        "http://site.test:x/",
    ],
)
def test_urls_httpx_cannot_parse_are_a_bad_url_not_a_crash(url):
    with client() as c, pytest.raises(FetchError) as err:
        c.get(url)
    assert err.value.reason == "bad_url" and err.value.url == url


@pytest.mark.parametrize(
    "location", ["http://0177.0.0.1:18080/", "http://127.000.000.001/", "http://[::1/",
                 "http://site.test:99999/"]
)  # fmt: skip
def test_a_redirect_to_a_url_httpx_cannot_parse_is_a_bad_url(site, location):
    site.route("/go", redirect(location))
    with client() as c, pytest.raises(FetchError) as err:
        c.get(f"{site.url}/go")
    assert err.value.reason == "bad_url"
    assert [p for _, p, _, _ in site.log] == ["/go"]  # nothing past the redirect was asked


def test_the_page_fetcher_refuses_a_bad_url_before_robots(site):
    from newswire.fetch import PageFetcher

    with PageFetcher(client()) as fetcher, pytest.raises(FetchError) as err:
        fetcher.get("http://0177.0.0.1/")
    assert err.value.reason == "bad_url"
    with PageFetcher(client()) as fetcher, pytest.raises(FetchError) as err:
        fetcher.sitemaps("http://[::1/")
    assert err.value.reason == "bad_url"
