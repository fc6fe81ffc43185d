"""Which URLs a webhook may call (SSRF): https only, and every address its host resolves
to must be public. The check runs when a webhook is saved and again at every delivery,
and the delivery connects to the address it checked (sender.py), so a name that
re-resolves to an internal address between the two (DNS rebinding) gains nothing."""
from __future__ import annotations

import ipaddress
import socket
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from functools import lru_cache
from urllib.parse import urlsplit

MAX_URL_LENGTH = 2048
LOOKUP_SECONDS = 5.0  # a name that does not resolve by then is refused (a request must not hang on DNS)
# Named although the general rules below cover them: what an attacker aims at first.
_METADATA = {ipaddress.ip_address("169.254.169.254"), ipaddress.ip_address("fd00:ec2::254")}
_CGNAT = ipaddress.ip_network("100.64.0.0/10")


class AddressRefused(ValueError):
    """The URL may not be called; the message says why, for the webhook's owner."""


@dataclass(frozen=True)
class Target:
    scheme: str
    host: str  # as written (the TLS name and the Host header)
    port: int
    path: str  # path and query, as sent
    addresses: tuple[str, ...]  # checked, in the resolver's order

    @property
    def host_header(self) -> str:
        default = 443 if self.scheme == "https" else 80
        name = f"[{self.host}]" if ":" in self.host else self.host
        return name if self.port == default else f"{name}:{self.port}"


@lru_cache(maxsize=1)
def _lookups() -> ThreadPoolExecutor:
    return ThreadPoolExecutor(max_workers=4, thread_name_prefix="dns")


def is_public(address: str) -> bool:
    ip = ipaddress.ip_address(address)
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped:
        ip = ip.ipv4_mapped
    return not (ip in _METADATA or ip.is_private or ip.is_loopback or ip.is_link_local or ip.is_multicast
                or ip.is_reserved or ip.is_unspecified or (ip.version == 4 and ip in _CGNAT) or not ip.is_global)


def _is_loopback(address: str) -> bool:
    ip = ipaddress.ip_address(address)
    return ip.is_loopback or bool(isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped
                                  and ip.ipv4_mapped.is_loopback)


def parse(url: str, *, allow_loopback: bool = False) -> tuple[str, str, int, str]:
    """(scheme, host, port, path) of a URL a webhook may have, before any lookup."""
    if not isinstance(url, str) or not url or len(url) > MAX_URL_LENGTH:
        raise AddressRefused(f"The URL must be 1 to {MAX_URL_LENGTH} characters")
    try:
        parts = urlsplit(url.strip())
        port = parts.port
    except ValueError:
        raise AddressRefused("The URL is not a valid URL") from None
    schemes = ("https", "http") if allow_loopback else ("https",)
    if parts.scheme not in schemes or not parts.hostname:
        raise AddressRefused("Webhook URLs must use https:// and name a host")
    if parts.username or parts.password:
        raise AddressRefused("Credentials in the URL are not supported: deliveries are signed instead")
    if parts.fragment:
        raise AddressRefused("A webhook URL cannot have a #fragment")
    path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    return parts.scheme, parts.hostname, port or (443 if parts.scheme == "https" else 80), path


def resolve(url: str, *, allow_loopback: bool = False, lookup=socket.getaddrinfo) -> Target:
    """The URL's target with its checked addresses; AddressRefused names the first problem.

    ``allow_loopback`` (the local stack only) lets loopback addresses through, over http too,
    so people can point a webhook at a receiver on their own machine."""
    scheme, host, port, path = parse(url, allow_loopback=allow_loopback)
    try:
        found = _lookups().submit(lookup, host, port, type=socket.SOCK_STREAM).result(timeout=LOOKUP_SECONDS)
    except (socket.gaierror, UnicodeError, OSError, TimeoutError, ValueError):
        raise AddressRefused(f"The host {host} could not be resolved") from None
    addresses = tuple(dict.fromkeys(info[4][0].split("%")[0] for info in found))
    if not addresses:
        raise AddressRefused(f"The host {host} could not be resolved")
    for address in addresses:
        if allow_loopback and _is_loopback(address):
            continue
        if not is_public(address):
            raise AddressRefused(f"The host {host} resolves to {address}, which is not a public address; "
                                 "webhooks only call the public internet")
    if scheme == "http" and not all(_is_loopback(a) for a in addresses):
        raise AddressRefused("Webhook URLs must use https://")
    return Target(scheme, host, port, path, addresses)
