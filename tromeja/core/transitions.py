"""State changes that two people may make at once.

Every change of a record's state (a report submitted, validated or returned,
a request acknowledged, answered, refused, clarified or closed, a notice
erased) locks the record's row and checks its state again inside the
transaction that changes it: of two supervisors validating the same report at
the same moment, the second waits for the first, then finds the report
validated and gets `StaleState`. The API answers it with 409 and the usual
error shape (tromeja.api), pages with a 409 page that says what happened
(`StaleStateMiddleware`).

On PostgreSQL the lock is `SELECT ... FOR UPDATE`. SQLite has no row locks,
but the node opens its transactions IMMEDIATE: a second writer waits for the
first to commit before it reads anything, and then reads the new state.
"""

from collections.abc import Collection

from django.core.exceptions import ObjectDoesNotExist
from django.db import transaction
from django.db.models import Model
from django.utils.translation import gettext as _


class StaleState(Exception):
    """The record is no longer in a state that allows the change: someone
    changed it first, or it is gone. Nothing was written."""

    def __init__(self, message):
        super().__init__(str(message))
        self.message = str(message)


def _display(instance: Model, field: str) -> str:
    getter = getattr(instance, f"get_{field}_display", None)
    return str(getter() if getter else getattr(instance, field))


def check_state(instance: Model, *, expected: Collection[str], field: str = "state", message=None):
    """Raises StaleState unless `instance.<field>` is one of `expected`.
    `message` may name the state found with %(state)s."""
    if getattr(instance, field) in expected:
        return
    text = message or _("This was changed in the meantime: it is now “%(state)s”. Reload the page.")
    raise StaleState(str(text) % {"state": _display(instance, field)})


def lock(
    instance: Model,
    *,
    expected: Collection[str] | None = None,
    field: str = "state",
    message=None,
    in_place: bool = True,
) -> Model:
    """Locks the row of `instance` until the end of the current transaction,
    reads it again and checks that its `field` is one of `expected`.

    With `in_place` the instance itself is refreshed (callers keep their
    object up to date); otherwise a fresh copy is returned and the instance
    is left as it is (a service that has already set new values on it)."""
    connection = transaction.get_connection()
    if not connection.in_atomic_block:
        raise transaction.TransactionManagementError("lock() needs a transaction")
    model = type(instance)
    locked = model._base_manager.select_for_update()
    try:
        if in_place:
            instance.refresh_from_db(from_queryset=locked)
            row = instance
        else:
            row = locked.get(pk=instance.pk)
    except ObjectDoesNotExist:
        raise StaleState(_("This was erased in the meantime.")) from None
    if expected is not None:
        check_state(row, expected=expected, field=field, message=message)
    return row


def conflict_response(request, exc: StaleState):
    """The page a browser gets for a change that lost the race: 409, the
    message in the user's language and a way back."""
    from django.shortcuts import render
    from django.utils.http import url_has_allowed_host_and_scheme

    back = request.headers.get("Referer", "")
    if not url_has_allowed_host_and_scheme(
        back, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        back = "/"
    return render(request, "409.html", {"message": exc.message, "back": back}, status=409)


class StaleStateMiddleware:
    """Pages: a StaleState raised by a service becomes the 409 page."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if isinstance(exception, StaleState):
            return conflict_response(request, exception)
        return None
