"""A request that finds the database held too long by another writer.

On the embedded default one writer at a time holds SQLite; a request that
waits longer than the busy timeout for it (a very large import is being
written) gets `database is locked`. That is not a fault of the request nor
of the node: the answer is 503 with a Retry-After and a sentence in the
user's language, never a 500. A disk that is full is answered 503 too, with
what happened (nothing was saved) and whom to tell. Every other error is the
node's own page.
"""

import sys

from django.http import HttpResponse, JsonResponse
from django.template.loader import render_to_string
from django.utils.translation import gettext as _

from tromeja.core.dbretry import is_disk_full, is_locked

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


def out_of_space_response(request) -> HttpResponse:
    """The node could not write for want of disk space. The transaction was
    rolled back, so nothing was half-saved: the user is told so, and whom to
    tell. No Retry-After: space does not come back by itself."""
    message = _(
        "The node is out of disk space: nothing was saved and nothing was lost. "
        "Tell your node administrator; once space is freed, try again."
    )
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": message, "code": "out_of_space"}, status=503)
    html = render_to_string("core/busy.html", {"message": message}, request=None)
    return HttpResponse(html, status=503)


def _caused_by(exc: BaseException | None, test) -> bool:
    """The error, or one it was raised while handling (a session that could
    not be saved), passes `test`."""
    seen = 0
    while exc is not None and seen < 10:
        if test(exc):
            return True
        exc, seen = exc.__cause__ or exc.__context__, seen + 1
    return False


def _locked(exc: BaseException | None) -> bool:
    return _caused_by(exc, is_locked)


def server_error(request):
    """handler500: Django calls it while handling the exception."""
    exc = sys.exc_info()[1]
    if _locked(exc):
        return busy_response(request)
    if _caused_by(exc, is_disk_full):
        return out_of_space_response(request)
    from tromeja.core.views import server_error as node_error

    return node_error(request)


def bad_request(request, exception=None):
    """handler400: a session that could not be saved because the database
    was locked (or the disk is full) is reported by Django as a bad request;
    it is the node's state, not the request's fault."""
    if _locked(exception):
        return busy_response(request)
    if _caused_by(exception, is_disk_full):
        return out_of_space_response(request)
    from tromeja.core.views import bad_request as node_bad_request

    return node_bad_request(request, exception)
