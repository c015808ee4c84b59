"""GET /api/v1/search: the search box's results as JSON, the same as the
results page (one visibility rule, the same audit entries, X-Purpose)."""

from datetime import datetime
from typing import Literal
from uuid import UUID

from ninja import Field, Query, Router, Schema
from pydantic import ConfigDict

from tromeja.openapi import PERSONAL_DATA
from tromeja.search import queries, services

router = Router(tags=["search"])

GroupName = Literal["reports", "exchange", "notices"]


class SearchParams(Schema):
    q: str = Field(
        "",
        max_length=queries.MAX_QUERY,
        description="A plate, phone number, name, document number, reference or words. "
        "Empty: nothing is searched.",
    )
    kinds: list[GroupName] | None = Field(
        None,
        description="The groups to search (repeat the parameter); all when left out.",
        max_length=3,
    )


class SearchedOut(Schema):
    kind: Literal["text", "reference", "vehicle", "document", "phone", "person"]
    value: str = Field(description="The value as looked up (normalised).")


class HitOut(Schema):
    kind: Literal["incident", "case", "notice"]
    id: UUID
    reference: str
    title: str
    date: datetime
    owner_country: str
    snippet: str = Field(description="Plain text, not HTML.")
    highlights: list[tuple[int, int]] = Field(
        description="Where the searched words are in the snippet: [start, end) offsets."
    )
    matched: list[str] = Field(
        description="How the record was found: reference, vehicle, document, phone, person, text."
    )
    url: str = Field(description="The record's page.")


class GroupOut(Schema):
    name: GroupName
    hits: list[HitOut]
    more: bool = Field(description=f"More than {queries.PER_GROUP} hits; the newest are given.")


class SearchOut(Schema):
    model_config = ConfigDict(json_schema_extra=PERSONAL_DATA)

    query: str
    searched: list[SearchedOut]
    groups: list[GroupOut]


@router.get(
    "",
    response=SearchOut,
    summary="Search everything you may see",
    description=(
        "Plates, phone numbers, names (case, accents and transliterations folded), "
        "document numbers, references of reports and cases, and the words of reports, "
        "cases, messages and notices, among the records you may see; at most "
        f"{queries.PER_GROUP} hits per group, newest first. Each search is written to the "
        "audit trail with your purpose."
    ),
)
def search(request, params: Query[SearchParams]):
    groups = tuple(params.kinds) if params.kinds else queries.GROUPS
    parsed, found = services.search(request.user, params.q, groups)
    return {
        "query": parsed.text,
        "searched": [{"kind": k, "value": v} for k, v in parsed.searched],
        "groups": [
            {
                "name": g.name,
                "more": g.more,
                "hits": [
                    {
                        "kind": h.kind,
                        "id": h.id,
                        "reference": h.reference,
                        "title": h.title,
                        "date": h.date,
                        "owner_country": h.owner_country,
                        "snippet": h.snippet,
                        "highlights": h.highlights,
                        "matched": h.matched,
                        "url": h.url,
                    }
                    for h in g.hits
                ],
            }
            for g in found
        ],
    }
