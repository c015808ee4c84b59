"""POST bodies for the administration's user form, as the browser sends them."""

from tromeja.accounts.models import User

PREFIX = "role_grants"


def user_change_data(user: User, *, roles=None, **overrides) -> dict:
    """The change form of `user` as shown, with `overrides` applied and, if
    `roles` is given, the role rows edited so that the user holds `roles`."""
    user = User.objects.get(pk=user.pk)
    data = {
        "username": user.username,
        "first_name": user.first_name,
        "last_name": user.last_name,
        "email": user.email,
        "unit": user.unit_id or "",
        "language": user.language,
        "time_zone": user.time_zone,
    }
    if user.is_active:
        data["is_active"] = "on"
    grants = list(user.role_grants.order_by("pk"))
    held = {g.role for g in grants}
    wanted = held if roles is None else set(map(str, roles))
    rows = []
    for grant in grants:
        row = {"id": grant.pk, "user": user.pk, "role": grant.role}
        if grant.role not in wanted:
            row["DELETE"] = "on"
        rows.append(row)
    for role in sorted(wanted - held):
        rows.append({"id": "", "user": user.pk, "role": role})
    data.update(
        {
            f"{PREFIX}-TOTAL_FORMS": len(rows),
            f"{PREFIX}-INITIAL_FORMS": len(grants),
            f"{PREFIX}-MIN_NUM_FORMS": 0,
            f"{PREFIX}-MAX_NUM_FORMS": 1000,
        }
    )
    for i, row in enumerate(rows):
        for key, value in row.items():
            data[f"{PREFIX}-{i}-{key}"] = value
    for key, value in overrides.items():
        if value is None:
            data.pop(key, None)
        else:
            data[key] = value
    return data


def user_add_data(*, username: str, unit, password: str, roles=()) -> dict:
    data = {
        "username": username,
        "unit": getattr(unit, "pk", unit),
        "password1": password,
        "password2": password,
        f"{PREFIX}-TOTAL_FORMS": len(roles),
        f"{PREFIX}-INITIAL_FORMS": 0,
        f"{PREFIX}-MIN_NUM_FORMS": 0,
        f"{PREFIX}-MAX_NUM_FORMS": 1000,
    }
    for i, role in enumerate(roles):
        data[f"{PREFIX}-{i}-role"] = str(role)
    return data
