"""Small request helpers shared by every app."""

import ipaddress

from django.conf import settings
from django.http import HttpRequest


def client_ip(request: HttpRequest) -> str | None:
    """The caller's address: REMOTE_ADDR, or the X-Forwarded-For entry written by our own
    proxies when FULIAN_PROXY_COUNT says how many there are (never trust a client's header)."""
    proxies = settings.FULIAN_PROXY_COUNT
    if proxies:
        forwarded = [p.strip() for p in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if p.strip()]
        if len(forwarded) >= proxies and _valid_ip(forwarded[-proxies]):
            return forwarded[-proxies]
    remote = request.META.get("REMOTE_ADDR") or ""
    return remote if _valid_ip(remote) else None


def _valid_ip(value: str) -> bool:
    try:
        ipaddress.ip_address(value)
    except ValueError:
        return False
    return True
