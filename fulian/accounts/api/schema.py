"""How the OpenAPI schema describes the API's two ways in (registered when the app loads)."""

from typing import Any

from drf_spectacular.extensions import OpenApiAuthenticationExtension


class ApiTokenScheme(OpenApiAuthenticationExtension):
    target_class = "fulian.accounts.authentication.ApiTokenAuthentication"
    name = "tokenAuth"

    def get_security_definition(self, auto_schema: Any) -> dict[str, str]:
        return {
            "type": "apiKey",
            "in": "header",
            "name": "Authorization",
            "description": 'A token from /api/v1/auth/token/, sent as "Token <token>". It expires after '
            "FULIAN_TOKEN_DAYS days (30 by default); a refused token is a 401 whose code says whether it is "
            "invalid, revoked or expired.",
        }


class SessionScheme(OpenApiAuthenticationExtension):
    target_class = "fulian.accounts.authentication.GatedSessionAuthentication"
    name = "cookieAuth"

    def get_security_definition(self, auto_schema: Any) -> dict[str, str]:
        return {"type": "apiKey", "in": "cookie", "name": "sessionid"}
