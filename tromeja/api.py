"""The JSON API under /api/v1/: one NinjaAPI, one router per app.

Authentication: a personal API token (Authorization: Bearer trm_...) or the
browser session (with its second factor and CSRF). Every error comes back
localized in the shape described in tromeja.apierrors.
"""

from csp.decorators import csp_update
from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from django.utils import translation
from django.utils.translation import gettext_lazy as _
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError
from ninja.parser import Parser
from ninja.security import HttpBearer, SessionAuth

from tromeja import apierrors
from tromeja.accounts.security import second_factor_satisfied
from tromeja.accounts.services import authenticate_token
from tromeja.core import context
from tromeja.core.consult import PurposeRequired
from tromeja.core.transitions import StaleState


class TokenAuth(HttpBearer):
    def authenticate(self, request, token):
        api_token = authenticate_token(token)
        if api_token is None:
            return None
        if not api_token.allows(request.method):
            raise HttpError(403, str(_("This token may only read (scope: read).")))
        user = api_token.user
        request.user = user
        request.api_token = api_token
        if "HTTP_ACCEPT_LANGUAGE" not in request.META:
            translation.activate(user.language)
        ctx = getattr(request, "action_context", None) or context.current()
        ctx.purpose = " ".join(request.headers.get("X-Purpose", "").split())[:300]
        return user


def _presents_token(request) -> bool:
    return request.headers.get("Authorization", "").split(" ", 1)[0].lower() == "bearer"


class VerifiedSessionAuth(SessionAuth):
    """The browser session, only once the second factor is passed.

    A request that presents a bearer token is judged by the token alone: a
    refused token answers 401 whatever the method, rather than falling back
    to the session (and its CSRF check, which would answer 403)."""

    def _get_key(self, request):
        if _presents_token(request):
            return None
        return super()._get_key(request)

    def authenticate(self, request, key):
        if _presents_token(request):
            return None
        if request.user.is_authenticated and second_factor_satisfied(request):
            return request.user
        return None


class NullCharacters(ValueError):
    """A JSON body holds a string with a NUL character (U+0000)."""


def _has_null(value) -> bool:
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, dict):
        return any(_has_null(k) or _has_null(v) for k, v in value.items())
    if isinstance(value, list):
        return any(_has_null(v) for v in value)
    return False


class TromejaParser(Parser):
    """ninja's parser, refusing NUL characters in every string a client sends
    (query, form and JSON body) before any schema or database sees them: no
    database stores them (PostgreSQL refuses them outright), and no field
    has a use for them. Django's forms refuse them the same way."""

    def parse_body(self, request):
        data = super().parse_body(request)
        if _has_null(data):
            raise NullCharacters
        return data

    def parse_querydict(self, data, list_fields, request):
        result = super().parse_querydict(data, list_fields, request)
        where = "query" if data is request.GET else "form"
        bad = [key for key, value in result.items() if _has_null(key) or _has_null(value)]
        if bad:
            raise NinjaValidationError(
                [{"type": "null_character", "loc": (where, key.replace("\x00", ""))} for key in bad]
            )
        return result


class TromejaAPI(NinjaAPI):
    def get_openapi_schema(self, *, path_prefix=None, path_params=None):
        # Error responses, the X-Purpose header and descriptions are derived
        # for every operation in one place (tromeja.openapi).
        from tromeja import openapi

        schema = super().get_openapi_schema(path_prefix=path_prefix, path_params=path_params)
        return openapi.complete(schema)


api = TromejaAPI(
    title="Tromeja API",
    version="1",
    description=(
        "Police cooperation of Italy, Slovenia and Croatia. Authenticate with a personal "
        "token (Authorization: Bearer ...). Reads of personal data need an X-Purpose header."
    ),
    urls_namespace="api-1",
    parser=TromejaParser(),
    auth=[TokenAuth(), VerifiedSessionAuth()],
    docs_url="/docs",
    # Swagger UI sets inline styles; the page holds no data.
    docs_decorator=csp_update({"style-src": ["'self'", "'unsafe-inline'"]}),
)


def _error(request, status, detail=None, errors=None):
    body = {"detail": str(detail or apierrors.GENERIC.get(status, apierrors.GENERIC[400])())}
    if errors:
        body["errors"] = errors
    return api.create_response(request, body, status=status)


@api.exception_handler(NinjaValidationError)
def on_validation_error(request, exc):
    return _error(
        request, 422, _("Some values are not valid."), apierrors.validation_errors(exc.errors)
    )


@api.exception_handler(DjangoValidationError)
def on_service_validation_error(request, exc):
    return _error(request, 422, _("Some values are not valid."), apierrors.django_errors(exc))


@api.exception_handler(Http404)
def on_not_found(request, exc):
    return _error(request, 404)


@api.exception_handler(PermissionDenied)
def on_permission_denied(request, exc):
    return _error(request, 403)


@api.exception_handler(PurposeRequired)
def on_purpose_required(request, exc):
    return _error(request, 428)


@api.exception_handler(StaleState)
def on_stale_state(request, exc):
    return _error(request, 409, exc.message)


@api.exception_handler(AuthenticationError)
def on_unauthenticated(request, exc):
    return _error(request, 401)


@api.exception_handler(HttpError)
def on_http_error(request, exc):
    # ninja's own messages are English; ours are already translated.
    english = {"CSRF check Failed", "Unauthorized", "Forbidden", "Too many requests."}
    message = str(exc)
    if isinstance(exc.__cause__, NullCharacters):
        detail = _("Null characters are not allowed.")
    elif message.startswith("Cannot parse request body"):
        detail = _("The request body is not valid JSON.")
    else:
        detail = None if message in english else message
    return _error(request, exc.status_code, detail)


def _register_routers():
    from tromeja.accounts.api import router as accounts_router
    from tromeja.auditlog.api import router as audit_router
    from tromeja.core.api import router as reference_router
    from tromeja.exchange.api import router as exchange_router
    from tromeja.geography.api import router as geography_router
    from tromeja.incidents.api import router as incidents_router
    from tromeja.notices.api import router as notices_router
    from tromeja.search.api import router as search_router

    api.add_router("/reference", reference_router)
    api.add_router("/me", accounts_router)
    api.add_router("/notices/exports", "tromeja.notices.export_api.router")
    api.add_router("/notices", notices_router)
    api.add_router("/incidents/exports", "tromeja.incidents.export_api.router")
    api.add_router("/incidents", incidents_router)
    api.add_router("/audit", audit_router)
    api.add_router("/exchange", exchange_router)
    api.add_router("/geography", geography_router)
    api.add_router("/search", search_router)


_register_routers()
