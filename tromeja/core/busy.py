"""A request that finds the database held too long by another writer.

On the embedded default one writer at a time holds SQLite; a request that
waits longer than the busy timeout for it (a very large import is being
written) gets `database is locked`. That is not a fault of the request nor
of the node: the answer is 503 with a Retry-After and a sentence in the
user's language, never a 500. Every other error is the node's own page.
"""

import sys

from django.http import HttpResponse, JsonResponse
from django.template.loader import render_to_string
from django.utils.translation import gettext as _

from tromeja.core.dbretry import is_locked

RETRY_AFTER_SECONDS = 5


def busy_response(request) -> HttpResponse:
    message = _("The node is busy; try again in a moment.")
    if request.path.startswith("/api/"):
        response = JsonResponse({"detail": message, "code": "busy"}, status=503)
    else:
        html = render_to_string("core/busy.html", {"message": message}, request=None)
        response = HttpResponse(html, status=503)
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response


def _locked(exc: BaseException | None) -> bool:
    """The error, or one it was raised while handling (a session that could
    not be saved), is SQLite's `database is locked`."""
    seen = 0
    while exc is not None and seen < 10:
        if is_locked(exc):
            return True
        exc, seen = exc.__cause__ or exc.__context__, seen + 1
    return False


def server_error(request):
    """handler500: Django calls it while handling the exception."""
    if _locked(sys.exc_info()[1]):
        return busy_response(request)
    from tromeja.core.views import server_error as node_error

    return node_error(request)


def bad_request(request, exception=None):
    """handler400: a session that could not be saved because the database
    was locked is reported by Django as a bad request; it is a busy node."""
    if _locked(exception):
        return busy_response(request)
    from tromeja.core.views import bad_request as node_bad_request

    return node_bad_request(request, exception)
