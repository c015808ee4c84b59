"""What the current request (or background job) is about, for the audit trail.

The request middleware fills it in; background jobs set it explicitly with
`acting_as`. Service functions never pass request ids around by hand.
"""

import contextvars
import uuid
from contextlib import contextmanager
from dataclasses import dataclass, field


@dataclass
class ActionContext:
    request_id: str = field(default_factory=lambda: uuid.uuid4().hex)
    purpose: str = ""
    source_ip: str = ""


_current: contextvars.ContextVar[ActionContext | None] = contextvars.ContextVar(
    "tromeja_action_context", default=None
)


def current() -> ActionContext:
    ctx = _current.get()
    if ctx is None:
        ctx = ActionContext(request_id="")
    return ctx


@contextmanager
def acting(ctx: ActionContext):
    token = _current.set(ctx)
    try:
        yield ctx
    finally:
        _current.reset(token)
