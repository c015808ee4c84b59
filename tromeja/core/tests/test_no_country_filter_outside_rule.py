"""Who sees a record is decided by one rule (tromeja/core/records.py). A page,
an API, a query module, the statistics, the duty lists or a background job
that filters by country by hand is a second rule, one that forgets the
active flag or the permission: this test reads their source and fails on
any such filter outside the short list of places below."""

import ast
from pathlib import Path

import tromeja

ROOT = Path(tromeja.__file__).parent
# Modules that read records for users: pages, APIs, queries, statistics,
# duty lists and background jobs (stats_views.py, duty_api.py... included).
READERS = ("views.py", "api.py", "queries.py", "stats.py", "duty.py", "tasks.py")
FILTERS = {"filter", "exclude", "get", "Q"}

# Where a filter by country is not a visibility rule, and why.
ALLOWED = {
    # The roster and the officers of a contact point are its own staff data,
    # never shared with another country: no record of the visibility rule.
    ("exchange/duty.py", "contact_point_officers"): "staff of one's own contact point",
    ("exchange/duty.py", "shifts_for"): "the roster of one's own contact point",
    ("exchange/duty.py", "gaps"): "the hours the roster leaves uncovered",
}


def _names_country(call: ast.Call) -> bool:
    """Whether a filter names a country: a keyword such as owner_country_id=
    or recipient_country__code= (also spelt out in a ``**{...}``), or a
    value read from user.country_code."""
    for keyword in call.keywords:
        if keyword.arg is not None and _country_field(keyword.arg):
            return True
        if keyword.arg is None and isinstance(keyword.value, ast.Dict):
            keys = [k.value for k in keyword.value.keys if isinstance(k, ast.Constant)]
            if any(isinstance(k, str) and _country_field(k) for k in keys):
                return True
    # A dictionary's .get() takes a positional key: only keywords count there.
    values = [k.value for k in call.keywords]
    if _call_name(call) != "get":
        values += call.args
    return any(
        isinstance(sub, ast.Attribute) and sub.attr == "country_code"
        for value in values
        for sub in ast.walk(value)
    )


def _country_field(name: str) -> bool:
    return (
        "owner_country" in name
        or "recipient_country" in name
        or name.endswith("country_id")
        or name.endswith("country")
        or "country__" in name
    )


def _call_name(call: ast.Call) -> str:
    if isinstance(call.func, ast.Attribute):
        return call.func.attr
    if isinstance(call.func, ast.Name):
        return call.func.id
    return ""


def country_filters(source: str) -> list[tuple[str, int]]:
    """(enclosing function, line) of each filter by country in `source`."""
    tree = ast.parse(source)
    found = []

    def visit(node, function):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            function = node.name
        if isinstance(node, ast.Call) and _call_name(node) in FILTERS and _names_country(node):
            found.append((function, node.lineno))
        for child in ast.iter_child_nodes(node):
            visit(child, function)

    visit(tree, "<module>")
    return found


def _readers():
    for path in sorted(ROOT.rglob("*.py")):
        parts = path.relative_to(ROOT).parts
        if "tests" in parts or "migrations" in parts:
            continue
        if path.name.endswith(READERS):
            yield path


def test_the_scan_finds_a_filter_by_country_written_by_hand():
    # As the inbox read the legs before it asked the rule.
    source = (
        "def inbox(request):\n"
        "    country = request.user.country_code\n"
        "    mine = Leg.objects.filter(recipient_country_id=country)\n"
        "    ours = Case.objects.filter(owner_country_id=country)\n"
        "    both = Leg.objects.filter(Q(case__owner_country_id=country))\n"
        "    received = Message.objects.restrict(user).exclude(owner_country_id=x)\n"
        "    stats = Leg.objects.filter(recipient_country=request.user.country_code)\n"
    )
    assert [line for _f, line in country_filters(source)] == [3, 4, 5, 6, 7]


def test_the_scan_leaves_alone_what_is_no_filter():
    source = (
        "def detail(request, case):\n"
        "    mine = case.owner_country_id == request.user.country_code\n"
        "    rows = Leg.objects.restrict(request.user).filter(case=case)\n"
        "    return rows.values_list('recipient_country_id', flat=True)\n"
    )
    assert country_filters(source) == []


def test_the_scan_reads_a_dictionary_get_as_no_filter():
    source = (
        "def lines(item, user):\n"
        "    a = item.get('registration_country')\n"
        "    b = Leg.objects.get(pk=1, **{'recipient_country_id': user.country_code})\n"
        "    c = Leg.objects.exclude(Q(pk__in=[user.country_code]))\n"
    )
    assert [line for _f, line in country_filters(source)] == [3, 4, 4]


def test_no_page_api_query_or_job_filters_by_country_outside_the_rule():
    offending = []
    for path in _readers():
        relative = path.relative_to(ROOT).as_posix()
        for function, line in country_filters(path.read_text(encoding="utf-8")):
            if (relative, function) not in ALLOWED:
                offending.append(f"{relative}:{line} in {function}()")
    assert offending == [], (
        "Filter by country only through RecordQuerySet.restrict() and the helpers "
        "next to it in tromeja/core/records.py: " + ", ".join(offending)
    )


def test_every_allowed_place_still_exists():
    # An entry outlives its reason when the code moves: remove it then.
    present = set()
    for path in _readers():
        relative = path.relative_to(ROOT).as_posix()
        present |= {(relative, f) for f, _line in country_filters(path.read_text("utf-8"))}
    assert set(ALLOWED) <= present
