from django.urls import include, path

from tromeja.accounts.admin import site as admin_site
from tromeja.api import api

urlpatterns = [
    path("", include("tromeja.core.urls")),
    path("accounts/", include("tromeja.accounts.urls")),
    path("notices/", include("tromeja.notices.urls")),
    path("incidents/", include("tromeja.incidents.urls")),
    path("audit/", include("tromeja.auditlog.urls")),
    path("exchange/", include("tromeja.exchange.urls")),
    path("search/", include("tromeja.search.urls")),
    path("admin/", admin_site.urls),
    path("api/v1/", api.urls),
]

handler400 = "tromeja.core.busy.bad_request"
handler403 = "tromeja.core.views.permission_denied"
handler404 = "tromeja.core.views.page_not_found"
handler500 = "tromeja.core.busy.server_error"
