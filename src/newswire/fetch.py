"""The one way newswire reaches out to the web on anyone's behalf: a fetcher that only talks
to public addresses.

Every request newswire makes for someone else (a partner's webhook today; pickup pages,
feeds and sitemaps next) goes through :class:`SafeClient`, because each of those URLs
was typed by someone who is not the operator: a partner, an applicant, a page that
shows our beacon. Without these rules such a URL reaches the database port, a cloud
metadata service (169.254.169.254) or anything else on the server's own network.

The rules:

- ``http`` and ``https`` only, ports as the URL says.
- The host's addresses are resolved **once**, and every one must be public
  (:func:`refusal` says which are not). The connection then goes to the address
  that was checked: the check sits in the transport's network backend, so TLS
  (SNI, certificate) and the ``Host`` header still use the name, and there is no
  second DNS lookup for an attacker to answer differently (DNS rebinding).
- Redirects are followed here, not by the HTTP client, at most
  :attr:`FetchPolicy.max_redirects`, each new URL checked again.
- Proxies from the environment are ignored (``trust_env=False``): a proxy would
  make the address check meaningless.
- A connect time-out, a read time-out, and a total deadline for the whole
  exchange, headers included (a server that drips one byte a second is cut off).
- A size cap on the *decoded* body: content codings are undone here, chunk by
  chunk with a bounded output, so a gzip bomb stops at the cap instead of
  inflating first; at most two stacked codings; only ``gzip`` and ``deflate`` are
  asked for and accepted.

Tests run fake sites on 127.0.0.1 by passing an allow list (``allow``) and, to give
test hosts names, a resolver: the same request is refused without the allow list.

This module is plain Python (no Django), like the engine; the apps build a
:class:`FetchPolicy` from their settings.
"""

from __future__ import annotations

import ipaddress
import socket
import ssl
import time
import zlib
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from email.message import Message
from functools import lru_cache
from typing import Any, BinaryIO
from urllib.parse import urljoin, urlsplit

import httpcore
import httpx

Address = ipaddress.IPv4Address | ipaddress.IPv6Address
Network = ipaddress.IPv4Network | ipaddress.IPv6Network
Resolver = Callable[[str, int], list[str]]

REDIRECTS = (301, 302, 303, 307, 308)
#: headers that carry credentials: never sent on to another origin after a redirect
SECRET_HEADERS = frozenset({"authorization", "proxy-authorization", "cookie",
                            "x-newswire-signature", "x-api-key"})  # fmt: skip
HTML_TYPES = ("text/html", "application/xhtml+xml")
FEED_TYPES = ("application/rss+xml", "application/atom+xml", "application/xml", "text/xml",
              "application/rdf+xml")  # fmt: skip

# Special-purpose ranges that wrap an IPv4 address inside an IPv6 one, so that the
# IPv4 rules apply to what they carry (RFC 6052 NAT64, RFC 8215 local-use NAT64).
_NAT64 = (ipaddress.IPv6Network("64:ff9b::/96"), ipaddress.IPv6Network("64:ff9b:1::/48"))


class FetchError(Exception):
    """A fetch that was refused or failed; ``reason`` is a short code, the message says more.

    Reasons: ``bad_url``, ``blocked_address``, ``unresolvable``, ``unreachable``,
    ``timeout``, ``too_many_redirects``, ``too_large``, ``bad_encoding``,
    ``not_html``, ``http_status``, ``robots``, ``cross_origin`` (a redirect to another
    origin, where the caller asked to stay on its own).
    """

    def __init__(self, reason: str, message: str, *, url: str = "") -> None:
        super().__init__(f"{url}: {message}" if url else message)
        self.reason = reason
        self.message = message
        self.url = url


def system_resolver(host: str, port: int) -> list[str]:
    """Every address the system resolver gives for ``host`` (IPv4 and IPv6)."""
    infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    return list(dict.fromkeys(str(info[4][0]) for info in infos))


def refusal(address: str | Address, allow: Iterable[Network] = ()) -> str | None:
    """Why newswire will not connect to ``address`` (``None``: it is public).

    The standard library's ``ipaddress`` knows the IANA special-purpose registries
    (``is_global``); what it does not unwrap by itself is done here: IPv4-mapped
    IPv6 (``::ffff:127.0.0.1``), NAT64, 6to4 and Teredo carry an IPv4 address that
    must pass the IPv4 rules too.
    """
    ip = ipaddress.ip_address(address) if isinstance(address, str) else address
    if any(ip in net for net in allow if ip.version == net.version):
        return None
    inner: Address | None = None
    if isinstance(ip, ipaddress.IPv6Address):
        if ip.ipv4_mapped is not None:
            inner = ip.ipv4_mapped
        elif ip.sixtofour is not None:
            inner = ip.sixtofour
        elif ip.teredo is not None:
            inner = ip.teredo[1]  # the client's address (the server's is a relay)
        elif any(ip in net for net in _NAT64):
            inner = ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)
        elif ip.is_site_local:
            return f"{ip} is a site-local address"
    if inner is not None:
        why = refusal(inner, allow)
        return f"{ip} wraps {why}" if why else None
    for test, what in (
        (ip.is_loopback, "a loopback address"),
        (ip.is_link_local, "a link-local address (cloud metadata lives there)"),
        (ip.is_private, "a private address"),
        (ip.is_multicast, "a multicast address"),
        (ip.is_unspecified, "the unspecified address"),
        (ip.is_reserved, "a reserved address"),
        (not ip.is_global, "not a public address"),  # carrier-grade NAT, documentation, …
    ):
        if test:
            return f"{ip} is {what}"
    return None


@dataclass(frozen=True)
class FetchPolicy:
    """What a :class:`SafeClient` may do. Production uses the defaults."""

    user_agent: str = "newswire/0.1"
    connect_timeout: float = 5.0
    read_timeout: float = 10.0
    total_timeout: float = 30.0
    max_bytes: int = 8 * 1024 * 1024
    max_redirects: int = 5
    max_codings: int = 2
    #: Networks let through despite the rules. Tests only (their fake sites are on 127.0.0.1),
    #: and the operator's own CMS hosts for story sources (``NEWSWIRE_PRIVATE_SOURCES``).
    allow: tuple[Network, ...] = ()
    #: Host names let through despite the rules (lower case), for the same two uses.
    allow_hosts: tuple[str, ...] = ()
    resolver: Resolver = field(default=system_resolver, compare=False)
    #: The demo only (``NEWSWIRE_DEMO_SITES``): (domain, "127.0.0.1:PORT") pairs; a page on
    #: the domain (or a sub-domain) is asked of that address over plain HTTP, its own URL
    #: and Host kept, so that the demo's made-up partner sites answer from the demo itself.
    stand_ins: tuple[tuple[str, str], ...] = ()

    @classmethod
    def from_settings(cls, settings: Any, **overrides: Any) -> FetchPolicy:
        """The policy the apps use: ``NEWSWIRE_FETCH_ALLOW`` (tests only) and a User-Agent
        naming the wire's site, so that a site owner can see who is asking; and the demo's
        stand-in sites (``NEWSWIRE_DEMO_SITES``), whose loopback address alone is let
        through for them."""
        stand_ins = tuple(getattr(settings, "NEWSWIRE_DEMO_SITES", ()) or ())
        networks = [*getattr(settings, "NEWSWIRE_FETCH_ALLOW", ())]
        networks += sorted({address.rsplit(":", 1)[0] for _, address in stand_ins})
        allow = tuple(ipaddress.ip_network(n, strict=False) for n in networks)
        agent = f"newswire/0.1 (+{getattr(settings, 'SITE_URL', '')}/republish/)"
        return cls(**{"allow": allow, "user_agent": agent, "stand_ins": stand_ins,
                      **overrides})  # fmt: skip


@dataclass(frozen=True)
class Fetched:
    """A response whose body was read within the limits."""

    url: str  # the URL asked for
    final_url: str  # after redirects
    status: int
    headers: httpx.Headers
    body: bytes
    address: str  # the address connected to

    def _content_type(self) -> Message:
        msg = Message()
        msg["content-type"] = self.headers.get("content-type", "")
        return msg

    @property
    def content_type(self) -> str:
        return self._content_type().get_content_type() if self.headers.get("content-type") else ""

    @property
    def charset(self) -> str | None:
        return content_charset(self.headers.get("content-type", ""))


def content_charset(content_type: str) -> str | None:
    """The ``charset`` a Content-Type header names, if it names one."""
    msg = Message()
    msg["content-type"] = content_type
    found = msg.get_param("charset")
    return str(found) if isinstance(found, str) else None


# --- the pinned, deadline-bound network backend --------------------------------------

_deadline: ContextVar[float] = ContextVar("newswire_fetch_deadline", default=float("inf"))
_connected: ContextVar[list[str] | None] = ContextVar("newswire_fetch_connected", default=None)


class _DeadlineStream(httpcore.NetworkStream):
    """A socket stream whose every read and write also respects the request's total deadline."""

    def __init__(self, stream: httpcore.NetworkStream) -> None:
        self._stream = stream

    @staticmethod
    def _left(timeout: float | None) -> float:
        left = _deadline.get() - time.monotonic()
        if left <= 0:
            raise httpcore.ReadTimeout("the total time for this request ran out")
        return left if timeout is None else min(timeout, left)

    def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        return self._stream.read(max_bytes, self._left(timeout))

    def write(self, buffer: bytes, timeout: float | None = None) -> None:
        self._stream.write(buffer, self._left(timeout))

    def close(self) -> None:
        self._stream.close()

    def start_tls(
        self,
        ssl_context: Any,
        server_hostname: str | None = None,
        timeout: float | None = None,
    ) -> httpcore.NetworkStream:
        return _DeadlineStream(self._stream.start_tls(ssl_context, server_hostname, timeout))

    def get_extra_info(self, info: str) -> Any:
        return self._stream.get_extra_info(info)


class _PinnedBackend(httpcore.NetworkBackend):
    """Resolve once, refuse any non-public address, connect to the address checked."""

    def __init__(self, policy: FetchPolicy) -> None:
        self._policy = policy
        self._plain = httpcore.SyncBackend()

    def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[Any] | None = None,
    ) -> httpcore.NetworkStream:
        addresses = vet_host(host, port, self._policy, error=_Refused)
        connected = _connected.get()
        if connected is not None:
            connected.append(addresses[0])
        stream = self._plain.connect_tcp(
            addresses[0], port, timeout=timeout, socket_options=socket_options
        )
        return _DeadlineStream(stream)


def vet_host(
    host: str, port: int, policy: FetchPolicy, error: Callable[[str, str], Exception] = FetchError
) -> list[str]:
    """Resolve ``host`` once; return its addresses, or raise ``error(reason, message)`` if it
    has none or any of them is not public (the rule the transport and forms share)."""
    try:
        addresses = policy.resolver(host, port)
    except (OSError, UnicodeError) as exc:
        raise error("unresolvable", f"cannot resolve {host}: {exc}") from None
    if not addresses:
        raise error("unresolvable", f"{host} has no address")
    if host.lower().rstrip(".") in policy.allow_hosts:
        return addresses
    for address in addresses:
        why = refusal(address, policy.allow)
        if why:
            raise error("blocked_address", f"{host} resolves to {why}")
    return addresses


class _Refused(httpcore.ConnectError):
    """Raised inside the transport; carried out to :class:`FetchError` by the client."""

    def __init__(self, reason: str, message: str) -> None:
        super().__init__(message)
        self.reason = reason


@lru_cache(maxsize=1)
def _tls_context() -> ssl.SSLContext:
    """The TLS context every client shares, made once a process (httpx's default: the
    system's trusted certificates; reading them cost 20 ms a client, and a worker makes a
    client per check). An SSLContext is safe to share between connections and threads."""
    return httpx.create_ssl_context(trust_env=False)


class _PinnedTransport(httpx.HTTPTransport):
    def __init__(self, policy: FetchPolicy) -> None:
        super().__init__(verify=_tls_context(), trust_env=False, retries=0)
        # httpx builds its httpcore pool without a way to pass a network backend;
        # the pool is rebuilt with the pinned one (same TLS context httpx would use).
        self._pool = httpcore.ConnectionPool(
            ssl_context=_tls_context(),
            max_connections=20,
            network_backend=_PinnedBackend(policy),
        )


# --- content codings, undone with a bounded output ---------------------------------------


class _Inflater:
    """One ``gzip`` or ``deflate`` layer. Hand-written because httpx's decoders inflate each
    network chunk in full (a 64 kB chunk of a gzip bomb becomes 64 MB before any cap)."""

    def __init__(self, coding: str) -> None:
        self.coding = coding
        self._d = zlib.decompressobj(31 if coding in ("gzip", "x-gzip") else 15)
        self._first = True

    def feed(self, data: bytes, room: int) -> bytes:
        """Inflate ``data``; raise :class:`FetchError` if it holds more than ``room`` bytes."""
        try:
            out = self._d.decompress(data, room + 1)
        except zlib.error:
            if not (self._first and self.coding == "deflate"):
                raise
            self._d = zlib.decompressobj(-15)  # raw deflate, as some servers send
            out = self._d.decompress(data, room + 1)
        self._first = False
        if len(out) > room or self._d.unconsumed_tail:
            raise FetchError("too_large", "the decoded body is over the size limit")
        return out


def _codings(headers: httpx.Headers, policy: FetchPolicy) -> list[_Inflater]:
    codings = [
        c.strip().lower()
        for c in headers.get("content-encoding", "").split(",")
        if c.strip() and c.strip().lower() != "identity"
    ]
    if len(codings) > policy.max_codings:
        raise FetchError("bad_encoding", f"{len(codings)} stacked content codings")
    for c in codings:
        if c not in ("gzip", "x-gzip", "deflate"):
            raise FetchError("bad_encoding", f"content coding {c!r} was not asked for")
    return [_Inflater(c) for c in reversed(codings)]  # the last applied is undone first


def _read_body(
    response: httpx.Response, policy: FetchPolicy, into: BinaryIO | None = None
) -> bytes:
    """The decoded body within the cap; written to ``into`` as it comes when given (a large
    download), then ``b""`` is returned."""
    cap = policy.max_bytes
    declared = response.headers.get("content-length", "")
    inflaters = _codings(response.headers, policy)
    if declared.isdigit() and not inflaters and int(declared) > cap:
        raise FetchError("too_large", f"Content-Length {declared} is over the {cap} byte limit")
    out = bytearray()
    size = 0
    try:
        for chunk in response.iter_raw(65536):
            data = chunk
            for layer in inflaters:
                data = layer.feed(data, cap - size if layer is inflaters[-1] else cap)
            if size + len(data) > cap:
                raise FetchError("too_large", f"the body is over the {cap} byte limit")
            size += len(data)
            if into is None:
                out += data
            else:
                into.write(data)
    except zlib.error as exc:
        raise FetchError("bad_encoding", f"broken {inflaters[0].coding} body: {exc}") from None
    return bytes(out)


# --- the client --------------------------------------------------------------------


class SafeClient:
    """An HTTP client for URLs that someone else gave us (see the module's docstring)."""

    def __init__(self, policy: FetchPolicy | None = None) -> None:
        self.policy = policy or FetchPolicy()
        p = self.policy
        self._client = httpx.Client(
            transport=_PinnedTransport(p),
            trust_env=False,
            follow_redirects=False,
            timeout=httpx.Timeout(p.read_timeout, connect=p.connect_timeout),
            headers={"User-Agent": p.user_agent, "Accept-Encoding": "gzip, deflate"},
        )

    def close(self) -> None:
        self._client.close()

    def __enter__(self) -> SafeClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def get(self, url: str, *, headers: dict[str, str] | None = None) -> Fetched:
        return self.request("GET", url, headers=headers)

    def download(self, url: str, into: BinaryIO) -> Fetched:
        """GET ``url`` and write its body to ``into`` as it arrives (up to the policy's size
        cap), for files too large to hold in memory; the answer's ``body`` is empty."""
        return self.request("GET", url, into=into)

    def get_html(self, url: str, *, headers: dict[str, str] | None = None) -> Fetched:
        """GET a page; refuse (``not_html``) anything but HTML, the only thing newswire parses."""
        return _of_type(self.get(url, headers=headers), HTML_TYPES, url)

    def request(
        self,
        method: str,
        url: str,
        *,
        headers: dict[str, str] | None = None,
        content: bytes | None = None,
        into: BinaryIO | None = None,
        same_origin: bool = False,
    ) -> Fetched:
        """Make the request, following redirects by hand; raise :class:`FetchError` on refusal.

        Redirects are followed for GET and HEAD, and for any method on 307 and 308
        (which keep the method and body); every hop is checked like the first. Credentials
        never cross to another origin: on a hop to another scheme, host or port (or from
        https to http) the secret headers (:data:`SECRET_HEADERS`) are dropped, as browsers
        and requests do. ``same_origin``: a redirect to another origin is not followed at
        all; it is a ``cross_origin`` :class:`FetchError` whose ``location`` says where.
        """
        sent = dict(headers or {})
        with self._deadline():
            current = url
            for _hop in range(self.policy.max_redirects + 1):
                _check_url(current)
                connected: list[str] = []
                token = _connected.set(connected)
                asked, extra = _stand_in(current, self.policy.stand_ins)
                try:
                    with self._client.stream(
                        method, asked, headers={**sent, **extra}, content=content
                    ) as response:
                        location = response.headers.get("location")
                        follow = response.status_code in REDIRECTS and (
                            method in ("GET", "HEAD") or response.status_code in (307, 308)
                        )
                        if follow and location:
                            target = _redirect_target(current, location)
                            if not _same_origin(current, target):
                                if same_origin:
                                    raise FetchError(
                                        "cross_origin", f"it redirects to {target}", url=current
                                    )
                                sent = {k: v for k, v in sent.items()
                                        if k.lower() not in SECRET_HEADERS}  # fmt: skip
                            current = target
                            continue
                        body = _read_body(response, self.policy, into)
                        return Fetched(
                            url=url,
                            final_url=current,
                            status=response.status_code,
                            headers=response.headers,
                            body=body,
                            address=connected[-1] if connected else "",
                        )
                except FetchError as exc:
                    exc.url = exc.url or current
                    raise
                except httpx.HTTPError as exc:
                    raise _as_fetch_error(exc, current) from None
                except httpx.InvalidURL as exc:  # not an HTTPError; _check_url should catch it
                    raise FetchError("bad_url", f"not a URL newswire can fetch: {exc}",
                                     url=current) from None  # fmt: skip
                finally:
                    _connected.reset(token)
            raise FetchError(
                "too_many_redirects", f"more than {self.policy.max_redirects} redirects", url=url
            )

    @contextmanager
    def _deadline(self) -> Iterator[None]:
        token = _deadline.set(time.monotonic() + self.policy.total_timeout)
        try:
            yield
        finally:
            _deadline.reset(token)


def url_refusal(url: str, policy: FetchPolicy | None = None) -> str | None:
    """Why ``url`` would be refused, as far as can be told now (for forms: early feedback).

    The name is resolved here too, but the fetch itself checks again: what a name
    resolves to can change between now and then.
    """
    policy = policy or FetchPolicy()
    try:
        _check_url(url)
    except FetchError as exc:
        return exc.message
    parts = urlsplit(url)
    try:
        vet_host(parts.hostname or "", parts.port or (443 if parts.scheme == "https" else 80),
                 policy)  # fmt: skip
    except FetchError as exc:
        return exc.message if exc.reason == "blocked_address" else None  # unknown: fetch says
    return None


def _of_type(fetched: Fetched, types: tuple[str, ...], url: str) -> Fetched:
    """``fetched`` if a successful answer is one of ``types``; else ``not_html``/``wrong_type``."""
    ctype = fetched.content_type
    if 200 <= fetched.status < 300 and ctype not in types:
        if types == HTML_TYPES:
            raise FetchError("not_html", f"content type {ctype or 'none'!r}, not HTML", url=url)
        raise FetchError("wrong_type", f"content type {ctype or 'none'!r}, not one of "
                         f"{', '.join(types)}", url=url)  # fmt: skip
    return fetched


#: why a site's robots.txt could not be read, in words an editor can pass on to a partner
#: (the reasons a fetch of it can fail with; refused addresses and bad URLs are raised as such)
_UNREAD = {
    "unresolvable": "host not found",
    "unreachable": "no answer from the site",
    "timeout": "the site took too long to answer",
    "bad_response": "the site's answer could not be read",
    "too_large": "the answer is too large",
    "too_many_redirects": "too many redirects",
}


def url_problem(url: str) -> str | None:
    """Why ``url`` is not a web address newswire can use, in words; None when it is one.

    The one check every URL newswire is given passes where it comes in (a form, a command,
    a feed's item, the admin) and again before every fetch and redirect hop: an http(s)
    URL with a host that can be read (an ``xn--`` label must be valid IDNA: ``xn--abc``
    decodes to control characters), a port in range and no user name or password.
    """
    try:
        _check_url(url)
    except FetchError as exc:
        return exc.message
    return None


def _check_url(url: str) -> None:
    """Refuse (``bad_url``) what is not an http(s) URL with a host that httpx reads as one.

    Every URL the fetcher is given or redirected to passes here first, so a name or
    address httpx cannot parse (``0177.0.0.1``, ``127.000.000.001``, ``①②⑦.0.0.1``, a
    port out of range, an ``xn--`` label that is not valid IDNA) is a :class:`FetchError`
    like any other refusal, never an ``httpx.InvalidURL``, ``idna.IDNAError`` or
    ``ValueError`` that leaves the fetcher untyped.
    """
    if not isinstance(url, str) or not url.strip():
        raise FetchError("bad_url", "no URL given", url=str(url or ""))
    if any(ord(c) < 0x20 or ord(c) == 0x7F for c in url):
        raise FetchError("bad_url", "the URL holds control characters (a line break?)",
                         url=url)  # fmt: skip
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 -- raises ValueError for a port that is not a number in range
        # .host decodes the name as IDNA (where httpx would fail at connect time)
        httpx.URL(url).host  # noqa: B018
    except UnicodeError as exc:  # idna's errors: an xn-- label that is not valid IDNA, …
        host = (urlsplit(url).hostname or "")[:100]
        raise FetchError("bad_url", f"the host name {host!r} is not a valid international "
                         f"domain name ({_plain(exc)})", url=url) from None  # fmt: skip
    except (ValueError, httpx.InvalidURL) as exc:
        raise FetchError("bad_url", f"not a URL newswire can fetch: {_plain(exc)}",
                         url=url) from None  # fmt: skip
    if parts.scheme not in ("http", "https"):
        raise FetchError("bad_url", f"only http and https URLs are fetched, not {parts.scheme!r}",
                         url=url)  # fmt: skip
    if not parts.hostname:
        raise FetchError("bad_url", "the URL has no host", url=url)
    if parts.username or parts.password:
        raise FetchError("bad_url", "URLs with a user name or password are not fetched", url=url)


def _origin(url: str) -> tuple[str, str, int | None]:
    parts = urlsplit(url)
    port = parts.port or {"http": 80, "https": 443}.get(parts.scheme)
    return parts.scheme.lower(), (parts.hostname or "").lower(), port


def _same_origin(current: str, target: str) -> bool:
    """Whether a redirect stays on the origin credentials were meant for (scheme, host and
    port alike; so https to http on the same host is another origin too)."""
    try:
        return _origin(current) == _origin(target)
    except ValueError:  # a port that is not a number: _check_url refuses the target next
        return False


def _stand_in(url: str, stand_ins: tuple[tuple[str, str], ...]) -> tuple[str, dict[str, str]]:
    """(the URL to ask, headers to add): the demo's stand-in address for a page of a domain
    it serves (``FetchPolicy.stand_ins``), asked with the page's own Host; else the URL."""
    if not stand_ins:
        return url, {}
    parts = urlsplit(url)
    host = (parts.hostname or "").lower()
    for domain, address in stand_ins:
        if host == domain or host.endswith("." + domain):
            query = f"?{parts.query}" if parts.query else ""
            return f"http://{address}{parts.path or '/'}{query}", {"Host": parts.netloc}
    return url, {}


def _plain(exc: BaseException) -> str:
    """An exception's words without the control characters it may quote back."""
    text = str(exc) or type(exc).__name__
    return "".join(c if c.isprintable() else f"\\x{ord(c):02x}" for c in text)[:300]


def _redirect_target(current: str, location: str) -> str:
    try:
        return urljoin(current, location)
    except ValueError as exc:
        raise FetchError("bad_url", f"redirected to {location!r}, which is not a URL: {exc}",
                         url=current) from None  # fmt: skip


def _as_fetch_error(exc: httpx.HTTPError, url: str) -> FetchError:
    cause: BaseException | None = exc
    while cause is not None:
        if isinstance(cause, _Refused):
            return FetchError(cause.reason, str(cause), url=url)
        cause = cause.__cause__ or cause.__context__
    if isinstance(exc, httpx.TimeoutException):
        return FetchError("timeout", f"timed out ({exc or type(exc).__name__})", url=url)
    if isinstance(exc, httpx.RemoteProtocolError) and "Invalid URL in location" in str(exc):
        # httpx reads a redirect's Location itself (and says so only in words, its cause
        # dropped): a redirect to a URL that cannot be read is a bad URL like any other
        return FetchError("bad_url", f"redirected to a URL newswire cannot fetch: {exc}", url=url)
    if isinstance(exc, httpx.DecodingError | httpx.RemoteProtocolError):
        return FetchError("bad_response", f"{type(exc).__name__}: {exc}", url=url)
    return FetchError("unreachable", f"{type(exc).__name__}: {exc}", url=url)


# --- pages for pickups: robots.txt and a turn per host --------------------------------


class PageFetcher:
    """GET web pages the way a polite crawler does, through a :class:`SafeClient`.

    - robots.txt is obeyed for the User-Agent (protego), fetched once per host and kept
      ``robots_seconds``; a robots.txt that is missing (4xx) allows everything, one that
      cannot be read (5xx, unreachable) disallows everything for now (RFC 9309 §2.3.1).
    - ``throttle(host)`` is called before every request to a host: the apps pass one that
      gives each host one request a second across all workers.
    - Conditional requests: pass the ETag and Last-Modified of the last fetch; a 304 comes
      back as a :class:`Fetched` with status 304 and no body.
    - Only HTML is read (``not_html`` otherwise).
    """

    def __init__(
        self,
        client: SafeClient,
        *,
        throttle: Callable[[str], None] | None = None,
        robots_seconds: float = 3600,
        robots: dict[str, tuple[float, Any]] | None = None,
    ) -> None:
        self.client = client
        self.throttle = throttle or (lambda host: None)
        self.robots_seconds = robots_seconds
        # parsed robots.txt per origin; pass one dict to share it between fetchers
        self._robots: dict[str, tuple[float, Any]] = {} if robots is None else robots

    def close(self) -> None:
        self.client.close()

    def __enter__(self) -> PageFetcher:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def get(
        self,
        url: str,
        *,
        etag: str = "",
        last_modified: str = "",
        types: tuple[str, ...] = HTML_TYPES,
        throttle: Callable[[str], None] | None = None,
    ) -> Fetched:
        """GET ``url``; refuse (``not_html``, or ``wrong_type``) a body of another type.
        ``throttle``: this request's (and its robots.txt's) in place of the fetcher's."""
        _check_url(url)
        parts = urlsplit(url)
        throttle = throttle or self.throttle
        if not self.allowed(url, throttle=throttle):
            raise FetchError("robots", "robots.txt does not allow newswire to fetch it", url=url)
        headers = {"Accept": ",".join(types) + ",*/*;q=0.1"}
        if etag:
            headers["If-None-Match"] = etag
        if last_modified:
            headers["If-Modified-Since"] = last_modified
        throttle(parts.hostname or "")
        return _of_type(self.client.get(url, headers=headers), types, url)

    def sitemaps(self, url: str) -> list[str]:
        """The ``Sitemap:`` lines of the robots.txt of ``url``'s host."""
        self.allowed(url)
        parts = urlsplit(url)
        return list(self._robots[f"{parts.scheme}://{parts.netloc}"][1].sitemaps)

    def allowed(self, url: str, *, throttle: Callable[[str], None] | None = None) -> bool:
        from protego import Protego

        _check_url(url)
        parts = urlsplit(url)
        origin = f"{parts.scheme}://{parts.netloc}"
        kept = self._robots.get(origin)
        if kept is None or kept[0] < time.monotonic():
            (throttle or self.throttle)(parts.hostname or "")
            # A robots.txt that cannot be read is no refusal by the site: the site is down,
            # or its name does not resolve. Nothing is fetched then (RFC 9309 2.3.1.4), and
            # the error says what happened, in the words of the fetch that failed; it is not
            # kept, so the next try asks again.
            try:
                answer = self.client.get(f"{origin}/robots.txt")
            except FetchError as exc:
                if exc.reason in ("blocked_address", "bad_url"):
                    raise
                said = _UNREAD.get(exc.reason, exc.reason.replace("_", " "))
                raise FetchError(exc.reason, f"{said} (asking for robots.txt: "
                                 f"{exc.message})", url=url) from None  # fmt: skip
            if answer.status >= 500:
                raise FetchError("unreachable", f"the site answered HTTP {answer.status} for "
                                 "robots.txt: a server error, so nothing was fetched",
                                 url=url)  # fmt: skip
            if answer.status >= 400:
                rules = Protego.parse("")
            else:
                rules = Protego.parse(answer.body[: 512 * 1024].decode("utf-8", "replace"))
            kept = (time.monotonic() + self.robots_seconds, rules)
            self._robots[origin] = kept
        return bool(kept[1].can_fetch(url, self.client.policy.user_agent))
