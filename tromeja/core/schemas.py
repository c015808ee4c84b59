"""Schemas shared by every app's API: the record base's fields."""

from datetime import date, datetime
from uuid import UUID

from ninja import Schema


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
