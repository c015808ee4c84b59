"""The notice export through the API: the same service as the page
(`exports.start_export`), so the same visibility rule, handling columns and
disclosure entries."""

from django.http import HttpResponse
from ninja import Query, Router

from tromeja.notices import exports
from tromeja.notices.api import NoticeFilter

router = Router(tags=["notices"])


@router.post("", summary="Export the notices you may export, with the list's filters (CSV)")
def create_export(request, filters: Query[NoticeFilter]):
    export = exports.start_export(user=request.user, filters=filters.model_dump())
    response = HttpResponse(export.content, content_type=export.content_type)
    response["Content-Disposition"] = f'attachment; filename="{export.name}"'
    return response
