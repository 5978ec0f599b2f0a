from django.http import HttpRequest
from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from fulian.accounts import services
from fulian.accounts.api.serializers import MeSerializer, TokenRequestSerializer, TokenSerializer


class TokenView(APIView):
    """Exchange a username (or mobile number) and password for an API token.

    The same lockout rules as the login page apply: 5 failures lock the account for 15
    minutes, 30 failures from one address block it.
    """

    permission_classes = [AllowAny]
    authentication_classes: list[type] = []

    @extend_schema(request=TokenRequestSerializer, responses={200: TokenSerializer}, auth=[])
    def post(self, request: Request) -> Response:
        payload = TokenRequestSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        http_request: HttpRequest = request._request
        try:
            user = services.login_attempt(
                request=http_request,
                identifier=payload.validated_data["username"],
                password=payload.validated_data["password"],
            )
        except services.LoginRefused as refused:
            code = {
                "locked": status.HTTP_429_TOO_MANY_REQUESTS,
                "ip_blocked": status.HTTP_429_TOO_MANY_REQUESTS,
                "inactive": status.HTTP_403_FORBIDDEN,
            }.get(refused.code, status.HTTP_400_BAD_REQUEST)
            return Response({"detail": refused.message, "code": refused.code}, status=code)
        token = services.token_issue(request=http_request, user=user)
        return Response({"token": token.key})


class TokenRevokeView(APIView):
    """Revoke the caller's API token (log out of the API)."""

    permission_classes = [IsAuthenticated]

    @extend_schema(request=None, responses={204: None})
    def delete(self, request: Request) -> Response:
        services.token_revoke(request=request._request, user=request.user)  # type: ignore[arg-type]
        return Response(status=status.HTTP_204_NO_CONTENT)


class MeView(APIView):
    """The caller: account, organisation, role grants and the actions they allow."""

    @extend_schema(responses={200: MeSerializer})
    def get(self, request: Request) -> Response:
        return Response(MeSerializer(request.user).data)  # type: ignore[arg-type]
