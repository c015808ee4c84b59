"""The registry through which each module joins the shell.

A module (an app under tromeja/) registers its navigation entry and, if it
has them, "needs your attention" panels for the home page and a badge for its
navigation entry from its AppConfig.ready(). The shell renders only what is
registered, in the order of SECTIONS, and only for users holding the
permission of what it renders: no entry leads to a page that refuses them.
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
class Notify:
    """A browser notification about one new item: `key` is unique and never
    reused (it is remembered so that nobody is told twice), title and body
    are already in the user's language."""

    key: str
    title: str
    body: str
    url: str


@dataclass(frozen=True)
class BadgeCounts:
    """What a navigation entry's badge shows: `count` items (0 hides it),
    `urgent` when some are pressing, `text` says in words what the number
    counts (for screen readers and the tooltip), and what to notify."""

    count: int
    text: str
    urgent: bool = False
    notify: tuple[Notify, ...] = ()


@dataclass(frozen=True)
class Entry:
    """Another way into a section, for users who may not open the main one
    (e.g. the contact point's statistics for analysts)."""

    label: object
    url_name: str
    permission: str


@dataclass(frozen=True)
class Module:
    section: str
    label: object  # a lazy translated string
    url_name: str
    permission: str
    panels: tuple[AttentionPanel, ...] = field(default_factory=tuple)
    # Counts for the badge of the navigation entry (None: nothing to show);
    # polled every few seconds, so a few indexed queries at most. Only asked
    # for users holding `permission`.
    badge: Callable[[object], BadgeCounts | None] | None = None
    # Shown instead of the main entry to users without `permission`: the
    # first one whose permission the user holds.
    alternatives: tuple[Entry, ...] = field(default_factory=tuple)

    def entry_for(self, user) -> Entry | None:
        """The navigation entry this user gets, or None."""
        if user.has_perm_code(self.permission):
            return Entry(self.label, self.url_name, self.permission)
        for entry in self.alternatives:
            if user.has_perm_code(entry.permission):
                return entry
        return None


_registry: dict[str, Module] = {}


def register(module: Module) -> None:
    if module.section not in SECTIONS:
        raise ValueError(f"unknown section {module.section!r}")
    _registry[module.section] = module


def _signed_in(user) -> bool:
    return bool(getattr(user, "is_authenticated", False)) and user.is_active


def modules_for(user) -> list[Module]:
    """The modules whose main page this user may open, in section order:
    their panels and badges are for this user."""
    if not _signed_in(user):
        return []
    return [
        _registry[s]
        for s in SECTIONS
        if s in _registry and user.has_perm_code(_registry[s].permission)
    ]


def navigation_for(user) -> list[tuple[Module, Entry]]:
    """The navigation entries of this user: one per section at most, each to
    a page the user may open."""
    if not _signed_in(user):
        return []
    found = []
    for section in SECTIONS:
        module = _registry.get(section)
        entry = module.entry_for(user) if module else None
        if entry is not None:
            found.append((module, entry))
    return found


def badges_for(user) -> dict[str, BadgeCounts]:
    """The badge of every section of this user that has something to show."""
    found = {}
    for module in modules_for(user):
        if module.badge is None:
            continue
        counts = module.badge(user)
        if counts is not None:
            found[module.section] = counts
    return found
