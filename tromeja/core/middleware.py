import io
import re
import uuid

from tromeja.core import context

_REQUEST_ID = re.compile(r"^[A-Za-z0-9-]{8,64}$")


class RequestIdMiddleware:
    """Gives every request an id (or keeps a sane one sent by a proxy) and
    opens the action context that audit entries read from."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        given = request.headers.get("X-Request-ID", "")
        request_id = given if _REQUEST_ID.match(given) else uuid.uuid4().hex
        request.request_id = request_id
        ctx = context.ActionContext(
            request_id=request_id, source_ip=request.META.get("REMOTE_ADDR", "")
        )
        request.action_context = ctx
        with context.acting(ctx):
            response = self.get_response(request)
        response["X-Request-ID"] = request_id
        return response


class SecurityHeadersMiddleware:
    """Headers Django does not set by itself."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        response.setdefault(
            "Permissions-Policy", "camera=(), microphone=(), geolocation=(self), payment=()"
        )
        response.setdefault("Cross-Origin-Resource-Policy", "same-origin")
        if getattr(request, "user", None) is not None and request.user.is_authenticated:
            # Police data must not linger in shared caches or the back button.
            response.setdefault("Cache-Control", "no-store")
        return response


class PurposeRequiredMiddleware:
    """Sends a user who opens personal data without a working purpose to the
    purpose page, and back afterwards (Directive 2016/680 art. 25)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        from django.shortcuts import redirect
        from django.urls import reverse
        from django.utils.http import urlencode

        from tromeja.core.consult import PurposeRequired

        if isinstance(exception, PurposeRequired):
            query = urlencode({"next": request.get_full_path()})
            return redirect(f"{reverse('accounts:purpose')}?{query}")
        return None


MB = 1024 * 1024


def _large_body_path(path: str) -> bool:
    from django.conf import settings

    return any(re.match(pattern, path) for pattern in settings.TROMEJA_LARGE_BODY_PATHS)


def waitress_limits() -> dict:
    """Waitress's own limits for `tromeja serve`. Waitress reads a whole body
    (spooling it to a temporary file) before the application sees it, and
    answers a larger one with its own English page; its limit is therefore
    well above TROMEJA_MAX_UPLOAD_MB, so that a body over the upload limit
    reaches UploadLimitMiddleware and gets its answer in the user's language."""
    from django.conf import settings

    limit = settings.TROMEJA_MAX_UPLOAD_MB * MB
    return {"max_request_body_size": max(4 * limit, limit + 100 * MB)}


class UploadLimitMiddleware:
    """Refuses a request body larger than TROMEJA_MAX_UPLOAD_MB from its
    Content-Length, before any of it is read (HTTP 413), in the user's
    language: a page, or the API's JSON error shape under /api/.

    Bodies that Django reads into memory (JSON, forms without files) keep
    Django's small DATA_UPLOAD_MAX_MEMORY_SIZE and get the same clear 413
    above it, except on the paths of TROMEJA_LARGE_BODY_PATHS (API calls
    that carry Base64 attachments): there the body is read here, up to the
    upload limit, so the API accepts what the form accepts."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        from django.conf import settings

        limit = settings.TROMEJA_MAX_UPLOAD_MB * MB
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        if length > limit:
            return self._refuse(request, length, settings.TROMEJA_MAX_UPLOAD_MB)
        in_memory = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        multipart = request.content_type.startswith("multipart/")
        if in_memory is not None and length > in_memory and not multipart:
            if not _large_body_path(request.path_info):
                return self._refuse(request, length, None)
            # Django's body property refuses a body over its own limit; read
            # it here instead (the length is bounded above) and leave it
            # where that property and the parsers look for it.
            request._body = request.read(length)
            request._stream = io.BytesIO(request._body)
        return self.get_response(request)

    def process_exception(self, request, exception):
        # Fields of a multipart form count against Django's small limit too;
        # only the parser can tell, so its refusal gets the same answer.
        from django.core.exceptions import RequestDataTooBig

        if isinstance(exception, RequestDataTooBig):
            return self._refuse(request, 0, None)
        return None

    def _refuse(self, request, length, limit_mb):
        from django.conf import settings
        from django.contrib.auth import get_user
        from django.http import JsonResponse
        from django.shortcuts import render
        from django.utils import translation
        from django.utils.translation import gettext as _

        user = request.user = get_user(request)
        language = getattr(user, "language", "") or translation.get_language()
        with translation.override(language if language in dict(settings.LANGUAGES) else None):
            if limit_mb is None:
                message = _("The request is too large.")
            else:
                message = _(
                    "The file is too large (%(size)d MB); at most %(max)d MB are accepted. "
                    "Split it into smaller files."
                ) % {"size": round(length / MB), "max": limit_mb}
            if request.path.startswith("/api/"):
                response = JsonResponse({"detail": message}, status=413)
            else:
                response = render(
                    request, "413.html", {"message": message, "back": request.path}, status=413
                )
        # No "Connection: close": it is a hop-by-hop header, which a WSGI
        # application may not set (waitress answers it with a 500); the
        # servers read or discard the rest of the body themselves.
        return response
