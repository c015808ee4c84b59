from datetime import datetime

from django.shortcuts import get_object_or_404
from ninja import Router, Schema, Status

from tromeja.accounts import services

router = Router(tags=["me"])


class MeOut(Schema):
    username: str
    full_name: str
    unit: str | None
    country: str | None
    roles: list[str]
    permissions: list[str]
    language: str
    time_zone: str


class TokenOut(Schema):
    id: int
    name: str
    hint: str
    scope: str
    created_at: datetime
    expires_at: datetime
    revoked_at: datetime | None
    last_used_at: datetime | None


@router.get("", response=MeOut, summary="Who you are and what you may do")
def me(request):
    user = request.user
    return MeOut(
        username=user.username,
        full_name=user.get_full_name(),
        unit=user.unit.code if user.unit_id else None,
        country=user.country_code,
        roles=sorted(user.roles),
        permissions=sorted(user.perm_codes),
        language=user.language,
        time_zone=user.zone_name,
    )


@router.get("/tokens", response=list[TokenOut], summary="Your API tokens")
def list_tokens(request):
    return list(request.user.api_tokens.all())


@router.delete("/tokens/{token_id}", response={204: None}, summary="Revoke one of your tokens")
def revoke_token(request, token_id: int):
    # Anyone may revoke their own tokens, even after losing API access.
    token = get_object_or_404(request.user.api_tokens, pk=token_id)
    services.revoke_api_token(token=token, by=request.user)
    return Status(204, None)
