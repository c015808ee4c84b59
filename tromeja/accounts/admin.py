"""Django admin for reference data and users: node administrators only.

A node administrator sees and manages the users, agencies and units of their
own country, and the node's partnership table (docs/roles.md). The admin
reads and validates; every write goes through a service function, which
checks the country again and writes the alteration entry to the audit trail.
Django's own change history (LogEntry) is not the audit trail.
"""

from functools import update_wrapper

from django.contrib import admin, messages
from django.contrib.admin.utils import construct_change_message, unquote
from django.contrib.auth import update_session_auth_hash
from django.contrib.auth.admin import UserAdmin
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.forms.models import BaseInlineFormSet
from django.http import Http404, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.decorators import method_decorator
from django.utils.html import escape
from django.utils.translation import gettext as _g
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from django.views.decorators.debug import sensitive_post_parameters

from tromeja.accounts import services as accounts
from tromeja.accounts.forms import NodeAdminPasswordForm
from tromeja.accounts.models import RoleGrant, User
from tromeja.accounts.security import second_factor_satisfied
from tromeja.core import reference_services as reference
from tromeja.core.models import Agency, Country, Unit
from tromeja.core.roles import Perm


class NodeAdminSite(admin.AdminSite):
    site_header = _("Tromeja node administration")
    site_title = _("Tromeja administration")
    index_title = _("Reference data and users")
    enable_nav_sidebar = False

    def admin_view(self, view, cacheable=False):
        inner = super().admin_view(view, cacheable)

        def gate(request, *args, **kwargs):
            # Anonymous: once to the node's sign-in. Signed in without the
            # role: the 403 page (the admin's own sign-in page would send a
            # signed-in user back here, and round again).
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path(), reverse("accounts:login"))
            if not self.has_permission(request):
                raise PermissionDenied
            return inner(request, *args, **kwargs)

        return update_wrapper(gate, inner)

    def login(self, request, extra_context=None):
        # One sign-in for the whole node, with its second factor and lockout.
        if request.user.is_authenticated:
            if not self.has_permission(request):
                raise PermissionDenied
            return HttpResponseRedirect(reverse("admin:index", current_app=self.name))
        target = request.GET.get("next") or reverse("admin:index", current_app=self.name)
        return redirect_to_login(target, reverse("accounts:login"))

    def has_permission(self, request):
        # Roles decide; is_staff and is_superuser open nothing here.
        user = request.user
        return bool(
            user.is_active
            and user.is_authenticated
            and user.has_perm_code(Perm.ADMINISTER_NODE)
            and second_factor_satisfied(request)
        )


site = NodeAdminSite(name="admin")


def _is_node_admin(request) -> bool:
    return request.user.is_authenticated and request.user.has_perm_code(Perm.ADMINISTER_NODE)


def _changes(form, fields) -> dict:
    """The cleaned values of the fields the administrator changed."""
    return {name: form.cleaned_data[name] for name in form.changed_data if name in fields}


def _adopt(obj, saved) -> None:
    """The admin goes on with its own instance (redirects, history): give it
    the state of the row the service saved."""
    obj.__dict__.update(saved.__dict__)


class NodeAdminMixin:
    """The role decides, not Django's per-model permissions; writes go
    through the services; nothing is deleted here (units and users are
    deactivated or kept, since records and the audit trail name them)."""

    def has_module_permission(self, request):
        return _is_node_admin(request)

    def has_view_permission(self, request, obj=None):
        return _is_node_admin(request)

    has_add_permission = has_change_permission = has_view_permission

    def has_delete_permission(self, request, obj=None):
        return False

    def get_object(self, request, object_id, from_field=None):
        # Another country's row (or none at all) is not found: 404, not
        # Django's redirect to the index, so a guessed URL tells nothing.
        obj = super().get_object(request, object_id, from_field)
        if obj is None:
            raise Http404(_g("Not found."))
        return obj

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except ValidationError as exc:
            # A rule the service enforces and the form could not know
            # (e.g. one's own account); the transaction was rolled back.
            for message in exc.messages:
                messages.error(request, message)
            return HttpResponseRedirect(request.get_full_path())

    def construct_change_message(self, request, form, formsets, add=False):
        # The inlines are saved by the services, not by their formsets.
        return construct_change_message(form, [], add)


@admin.register(Country, site=site)
class CountryAdmin(NodeAdminMixin, admin.ModelAdmin):
    """The partnership table is this node's configuration: with whom it
    exchanges, and how (docs/roles.md). Countries come with the reference
    data; their names come from ISO 3166."""

    list_display = ("code", "country_name", "partnership", "is_eu", "is_schengen")
    list_filter = ("partnership",)
    fields = ("code", *reference.COUNTRY_FIELDS)
    readonly_fields = ("code",)

    def has_add_permission(self, request):
        return False

    @admin.display(description=_("name"))
    def country_name(self, obj):
        return obj.name

    def save_model(self, request, obj, form, change):
        reference.update_country(
            country=obj, by=request.user, **_changes(form, reference.COUNTRY_FIELDS)
        )


@admin.register(Agency, site=site)
class AgencyAdmin(NodeAdminMixin, admin.ModelAdmin):
    list_display = ("name", "name_en", "country", "kind")
    list_filter = ("kind",)
    search_fields = ("name", "name_en", "code")
    fields = reference.AGENCY_FIELDS

    def get_queryset(self, request):
        return super().get_queryset(request).filter(country=request.user.country_code)

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "country":
            kwargs["queryset"] = Country.objects.filter(code=request.user.country_code)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def save_model(self, request, obj, form, change):
        if change:
            reference.update_agency(
                agency=obj, by=request.user, **_changes(form, reference.AGENCY_FIELDS)
            )
        else:
            fields = {name: form.cleaned_data[name] for name in reference.AGENCY_FIELDS}
            _adopt(obj, reference.create_agency(by=request.user, **fields))


@admin.register(Unit, site=site)
class UnitAdmin(NodeAdminMixin, admin.ModelAdmin):
    list_display = ("name", "name_en", "agency", "kind", "city", "is_contact_point")
    list_filter = (("agency", admin.RelatedOnlyFieldListFilter), "kind", "is_contact_point")
    search_fields = ("name", "name_en", "code", "city")
    list_select_related = ("agency",)
    fields = reference.UNIT_FIELDS

    def get_queryset(self, request):
        return super().get_queryset(request).filter(agency__country=request.user.country_code)

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        own = request.user.country_code
        if db_field.name == "agency":
            kwargs["queryset"] = Agency.objects.filter(country=own)
        elif db_field.name == "parent":
            kwargs["queryset"] = Unit.objects.filter(agency__country=own).select_related("agency")
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def save_model(self, request, obj, form, change):
        if change:
            reference.update_unit(
                unit=obj, by=request.user, **_changes(form, reference.UNIT_FIELDS)
            )
        else:
            fields = {name: form.cleaned_data[name] for name in reference.UNIT_FIELDS}
            _adopt(obj, reference.create_unit(by=request.user, **fields))


class RoleGrantFormSet(BaseInlineFormSet):
    """Each row's controls named for assistive technology (the table's
    column header names them only visually)."""

    def add_fields(self, form, index):
        super().add_fields(form, index)
        form.fields["role"].widget.attrs["aria-label"] = _("Role")
        if "DELETE" in form.fields:
            form.fields["DELETE"].widget.attrs["aria-label"] = _("Delete this role")


class RoleGrantInline(admin.TabularInline):
    """The user's roles; saved together by `accounts.services.set_roles`."""

    model = RoleGrant
    formset = RoleGrantFormSet
    extra = 1
    fields = ("role",)

    def has_view_permission(self, request, obj=None):
        return _is_node_admin(request)

    has_add_permission = has_change_permission = has_delete_permission = has_view_permission


def _roles_in(formset) -> set[str]:
    roles = set()
    for form in formset.forms:
        if not form.has_changed() and form.instance.pk is None:
            continue  # an empty extra row
        if formset.can_delete and formset._should_delete_form(form):
            continue
        role = form.cleaned_data.get("role")
        if role:
            roles.add(role)
    return roles


@admin.register(User, site=site)
class TromejaUserAdmin(NodeAdminMixin, UserAdmin):
    list_display = ("username", "first_name", "last_name", "unit", "is_active")
    list_filter = (("unit", admin.RelatedOnlyFieldListFilter), "is_active")
    list_select_related = ("unit__agency",)
    inlines = [RoleGrantInline]
    # No is_staff, is_superuser, groups or Django permissions: roles decide.
    fieldsets = (
        (None, {"fields": ("username", "password")}),
        (
            _("Person"),
            {"fields": ("first_name", "last_name", "email", "unit", "language", "time_zone")},
        ),
        (_("Status"), {"fields": ("is_active", "last_login", "date_joined")}),
    )
    add_fieldsets = ((None, {"fields": ("username", "unit", "password1", "password2")}),)
    readonly_fields = ("last_login", "date_joined")
    change_password_form = NodeAdminPasswordForm
    actions = ["deactivate_users", "reset_second_factors"]

    def get_queryset(self, request):
        return super().get_queryset(request).filter(unit__agency__country=request.user.country_code)

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "unit":
            kwargs["queryset"] = Unit.objects.filter(
                agency__country=request.user.country_code
            ).select_related("agency")
            # A user without a unit belongs to no country, so to no administrator.
            kwargs["required"] = True
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def save_model(self, request, obj, form, change):
        if change:
            accounts.update_user(user=obj, by=request.user, **_changes(form, accounts.USER_FIELDS))
            return
        data = form.cleaned_data
        password = data.get("password1") if data.get("set_usable_password", True) else None
        created = accounts.create_user(
            username=data["username"],
            password=password,
            unit=data["unit"],
            created_by=request.user,
        )
        _adopt(obj, created)

    def save_related(self, request, form, formsets, change):
        # No many-to-many fields in the form (groups and Django permissions
        # are left out on purpose); the roles go through set_roles.
        for formset in formsets:
            if formset.model is RoleGrant:
                accounts.set_roles(user=form.instance, roles=_roles_in(formset), by=request.user)

    @admin.action(description=_("Deactivate the selected users"))
    def deactivate_users(self, request, queryset):
        done = 0
        with transaction.atomic():
            for user in queryset.exclude(pk=request.user.pk).filter(is_active=True):
                accounts.update_user(user=user, by=request.user, is_active=False)
                done += 1
        self.message_user(
            request,
            ngettext("%(count)d user deactivated.", "%(count)d users deactivated.", done)
            % {"count": done},
        )

    @admin.action(description=_("Reset the second factor of the selected users"))
    def reset_second_factors(self, request, queryset):
        users = list(queryset)
        with transaction.atomic():
            for user in users:
                accounts.reset_second_factor(user=user, by=request.user)
        self.message_user(
            request,
            ngettext(
                "The second factor of %(count)d user was reset; they set up a new one at "
                "their next sign-in.",
                "The second factor of %(count)d users was reset; they set up a new one at "
                "their next sign-in.",
                len(users),
            )
            % {"count": len(users)},
        )

    @method_decorator(sensitive_post_parameters())
    def user_change_password(self, request, id, form_url=""):
        # Django's own view saves the form directly; here the password goes
        # through accounts.services.set_password, which writes the entry.
        user = self.get_object(request, unquote(id))  # only users of one's own country
        if not self.has_change_permission(request, user):
            raise PermissionDenied
        if request.method == "POST":
            form = self.change_password_form(user, request.POST, by=request.user)
            # Turning password sign-in off needs its own button (as in Django).
            if form.is_valid() and not (
                form.cleaned_data["set_usable_password"] or "unset-password" in request.POST
            ):
                messages.error(request, _g("Conflicting form data submitted. Please try again."))
                return HttpResponseRedirect(request.get_full_path())
            if form.is_valid():
                form.save()
                user.refresh_from_db()
                if request.user.pk == user.pk:
                    update_session_auth_hash(request, user)
                if user.has_usable_password():
                    messages.success(request, _g("Password changed successfully."))
                else:
                    messages.success(request, _g("Password-based authentication was disabled."))
                return HttpResponseRedirect(
                    reverse("admin:accounts_user_change", args=(user.pk,), current_app=site.name)
                )
        else:
            form = self.change_password_form(user, by=request.user)
        fieldsets = [(None, {"fields": list(form.base_fields)})]
        usable = user.has_usable_password()
        title = _g("Change password: %s") if usable else _g("Set password: %s")
        context = {
            **self.admin_site.each_context(request),
            "title": title % escape(user.get_username()),
            "adminForm": admin.helpers.AdminForm(form, fieldsets, {}),
            "form_url": form_url,
            "form": form,
            "is_popup": False,
            "add": True,
            "change": False,
            "has_delete_permission": False,
            "has_change_permission": True,
            "has_absolute_url": False,
            "opts": self.opts,
            "original": user,
            "save_as": False,
            "show_save": True,
        }
        request.current_app = self.admin_site.name
        return TemplateResponse(request, "admin/auth/user/change_password.html", context)
