"""System checks of a deployment's settings that Django's own `check --deploy` cannot know."""

from typing import Any

from django.conf import settings
from django.core.checks import CheckMessage, Tags, Warning, register


@register(Tags.security, deploy=True)
def https_behind_a_proxy(app_configs: Any = None, **kwargs: Any) -> list[CheckMessage]:
    """With HTTPS on and no proxy declared, a server behind nginx sees every request as plain HTTP
    and redirects it to HTTPS, which nginx hands back as plain HTTP again: a redirect loop."""
    if settings.HTTPS and settings.SECURE_SSL_REDIRECT and not getattr(settings, "SECURE_PROXY_SSL_HEADER", None):
        return [
            Warning(
                "HTTPS is on but no proxy is declared: behind a proxy that terminates TLS, every request "
                "is redirected in a loop.",
                hint="Set FULIAN_PROXY_COUNT=1 behind nginx (deploy/nginx), or FULIAN_HTTPS=0 on a closed "
                "network without certificates.",
                id="fulian.W001",
            )
        ]
    return []
