"""Django admin for reference data and users: node administrators only."""

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin
from django.contrib.auth.views import redirect_to_login
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from tromeja.accounts.models import RoleGrant, User
from tromeja.accounts.security import second_factor_satisfied
from tromeja.core.models import Agency, Country, Unit
from tromeja.core.roles import Perm


class NodeAdminSite(admin.AdminSite):
    site_header = _("Tromeja node administration")
    site_title = _("Tromeja administration")
    index_title = _("Reference data and users")
    enable_nav_sidebar = False

    def login(self, request, extra_context=None):
        # One sign-in for the whole node, with its second factor and lockout.
        return redirect_to_login(request.get_full_path(), reverse("accounts:login"))

    def has_permission(self, request):
        user = request.user
        return bool(
            user.is_active
            and user.is_authenticated
            and user.has_perm_code(Perm.ADMINISTER_NODE)
            and second_factor_satisfied(request)
        )


site = NodeAdminSite(name="admin")


class NodeAdminMixin:
    """The role decides, not Django's per-model permissions."""

    def has_module_permission(self, request):
        return request.user.has_perm_code(Perm.ADMINISTER_NODE)

    def has_view_permission(self, request, obj=None):
        return request.user.has_perm_code(Perm.ADMINISTER_NODE)

    has_add_permission = has_view_permission
    has_change_permission = has_view_permission

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Country, site=site)
class CountryAdmin(NodeAdminMixin, admin.ModelAdmin):
    list_display = ("code", "country_name", "partnership", "is_eu", "is_schengen")
    list_filter = ("partnership",)

    @admin.display(description=_("name"))
    def country_name(self, obj):
        return obj.name


@admin.register(Agency, site=site)
class AgencyAdmin(NodeAdminMixin, admin.ModelAdmin):
    list_display = ("name", "name_en", "country", "kind")
    list_filter = ("country", "kind")
    search_fields = ("name", "name_en", "code")


@admin.register(Unit, site=site)
class UnitAdmin(NodeAdminMixin, admin.ModelAdmin):
    list_display = ("name", "name_en", "agency", "kind", "city", "is_contact_point")
    list_filter = ("agency__country", "kind", "is_contact_point")
    search_fields = ("name", "name_en", "code", "city")
    list_select_related = ("agency",)


class RoleGrantInline(admin.TabularInline):
    model = RoleGrant
    extra = 1
    fields = ("role",)

    def has_view_permission(self, request, obj=None):
        return request.user.has_perm_code(Perm.ADMINISTER_NODE)

    has_add_permission = has_change_permission = has_delete_permission = has_view_permission


@admin.register(User, site=site)
class TromejaUserAdmin(NodeAdminMixin, UserAdmin):
    list_display = ("username", "first_name", "last_name", "unit", "is_active")
    list_filter = ("unit__agency__country", "is_active")
    list_select_related = ("unit__agency",)
    inlines = [RoleGrantInline]
    fieldsets = (
        (None, {"fields": ("username", "password")}),
        (
            _("Person"),
            {"fields": ("first_name", "last_name", "email", "unit", "language", "time_zone")},
        ),  # fmt: skip
        (_("Status"), {"fields": ("is_active", "last_login", "date_joined")}),
    )
    add_fieldsets = ((None, {"fields": ("username", "unit", "password1", "password2")}),)
    readonly_fields = ("last_login", "date_joined")
