"""Schemas shared by every app's API: the record base's fields, and the date
and time types every API schema uses for what clients send."""

from datetime import date, datetime
from typing import Annotated, Any
from uuid import UUID

from ninja import Field, Schema
from pydantic import AfterValidator
from pydantic_core import PydanticCustomError

from tromeja.core import dates


def _sensible(value):
    if not dates.in_range(value):
        raise PydanticCustomError(
            "date_out_of_range",
            "Date out of range",
            {"earliest": dates.EARLIEST.isoformat(), "latest": dates.LATEST.isoformat()},
        )
    return value


_RANGE = f"between {dates.EARLIEST.isoformat()} and {dates.LATEST.isoformat()}"


def _document_range(schema: dict[str, Any]) -> None:
    said = schema.get("description", "")
    schema["description"] = f"{said} ({_RANGE})" if said else f"A date {_RANGE}"


_BOUNDED = Field(json_schema_extra=_document_range)

# Every date and date-time an API schema accepts, bounded to one range
# (tromeja.core.dates, which forms use too).
ApiDate = Annotated[date, AfterValidator(_sensible), _BOUNDED]
ApiDateTime = Annotated[datetime, AfterValidator(_sensible), _BOUNDED]


def _no_default(schema: dict[str, Any]) -> None:
    schema.pop("default", None)


def omittable(**kwargs):
    """A field of a partial update (PATCH): it may be left out, but not sent
    as null unless its type says it may be (`X | None`)."""
    return Field(None, json_schema_extra=_no_default, **kwargs)


class SharedRecordOut(Schema):
    id: UUID
    owner_agency: str
    owner_country: str
    created_at: datetime
    updated_at: datetime
    version: int
    distribution: str
    shared_with: list[str]
    handling_code: str
    handling_note: str
    source_reliability: str
    information_accuracy: str
    evaluation_code: str
    has_personal_data: bool
    data_subject_category: str
    review_by: date | None

    @staticmethod
    def resolve_owner_agency(obj):
        return obj.owner_agency.code

    @staticmethod
    def resolve_owner_country(obj):
        return obj.owner_country_id

    @staticmethod
    def resolve_shared_with(obj):
        return sorted(c.code for c in obj.shared_with.all())
