"""The registry through which each module joins the shell.

A module (an app under tromeja/) registers its navigation entry and, if it
has one, a "needs your attention" panel for the home page from its
AppConfig.ready(). The shell renders only what is registered, in the order of
SECTIONS, and only for users holding the entry's permission.
"""

from collections.abc import Callable
from dataclasses import dataclass, field

# The product's sections, in navigation order. Modules fill them in.
SECTIONS = (
    "incidents",
    "requests",
    "patrols",
    "situation",
    "network",
    "notices",
    "audit",
    "administration",
)


@dataclass(frozen=True)
class AttentionPanel:
    """Renders a small panel for the home page; returns None when there is
    nothing for this user. Must use the visibility rule and a constant number
    of queries."""

    template: str
    context: Callable[[object], dict | None]


@dataclass(frozen=True)
class Module:
    section: str
    label: object  # a lazy translated string
    url_name: str
    permission: str
    panels: tuple[AttentionPanel, ...] = field(default_factory=tuple)


_registry: dict[str, Module] = {}


def register(module: Module) -> None:
    if module.section not in SECTIONS:
        raise ValueError(f"unknown section {module.section!r}")
    _registry[module.section] = module


def modules_for(user) -> list[Module]:
    if not getattr(user, "is_authenticated", False):
        return []
    return [
        _registry[s]
        for s in SECTIONS
        if s in _registry and user.has_perm_code(_registry[s].permission)
    ]
