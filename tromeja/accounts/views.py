import base64

import segno
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import authenticate, login, logout
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django_otp import login as otp_login
from django_otp.plugins.otp_totp.models import TOTPDevice

from tromeja.accounts import services
from tromeja.accounts.forms import (
    ApiTokenForm,
    OneTimeCodeForm,
    PreferencesForm,
    PurposeForm,
    SignInForm,
)
from tromeja.accounts.security import second_factor_satisfied
from tromeja.core.roles import Perm, Role


def _safe_next(request, default="core:home"):
    target = request.POST.get("next") or request.GET.get("next")
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return reverse(default)


def sign_in(request):
    if request.user.is_authenticated and second_factor_satisfied(request):
        return redirect(_safe_next(request))
    form = SignInForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        user = authenticate(
            request,
            username=form.cleaned_data["username"],
            password=form.cleaned_data["password"],
        )
        if getattr(request, "axes_locked_out", False):
            return render(request, "accounts/locked_out.html", status=429)
        if user is None:
            form.add_error(None, _("User name or password is wrong."))
        else:
            login(request, user)
            next_url = _safe_next(request)
            if second_factor_satisfied(request):
                return redirect(next_url)
            return redirect(f"{reverse('accounts:second_factor')}?next={next_url}")
    return render(request, "accounts/sign_in.html", {"form": form, "next": _safe_next(request)})


def second_factor(request):
    if not request.user.is_authenticated:
        return redirect(settings.LOGIN_URL)
    if second_factor_satisfied(request):
        return redirect(_safe_next(request))
    device = TOTPDevice.objects.filter(user=request.user, confirmed=True).first()
    if device is None:
        return enrol_second_factor(request)
    form = OneTimeCodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        allowed, _details = device.verify_is_allowed()
        if allowed and device.verify_token(form.cleaned_data["token"]):
            otp_login(request, device)
            return redirect(_safe_next(request))
        if not allowed:
            form.add_error("token", _("Too many wrong codes. Wait a moment and try again."))
        else:
            form.add_error("token", _("That code is not valid. Codes change every 30 seconds."))
    return render(
        request, "accounts/second_factor.html", {"form": form, "next": _safe_next(request)}
    )


def enrol_second_factor(request):
    device = services.pending_totp_device(request.user)
    form = OneTimeCodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if services.confirm_totp_device(device=device, token=form.cleaned_data["token"]):
            otp_login(request, device)
            messages.success(request, _("Your authenticator app is set up."))
            return redirect(_safe_next(request))
        form.add_error("token", _("That code is not valid. Check the time on your phone."))
    qr = segno.make(device.config_url, error="m")
    svg = qr.svg_inline(scale=4, title=_("Code to scan with your authenticator app"))
    manual = base64.b32encode(device.bin_key).decode()
    return render(
        request,
        "accounts/enrol.html",
        {
            "form": form,
            "qr_svg": mark_safe(svg),  # noqa: S308 (segno output, no user input)
            "manual_key": " ".join(manual[i : i + 4] for i in range(0, len(manual), 4)),
            "next": _safe_next(request),
        },
    )


@require_POST
def sign_out(request):
    logout(request)
    return redirect(settings.LOGIN_URL)


@require_POST
def set_language(request):
    language = request.POST.get("language", "")
    if language not in dict(settings.LANGUAGES):
        messages.error(request, _("Unknown language."))
        return redirect(_safe_next(request))
    if request.user.is_authenticated:
        services.set_preferences(user=request.user, language=language)
    else:
        # Saved into the user's preferences when they sign in (accounts.signals).
        request.session[services.CHOSEN_LANGUAGE] = language
    response = redirect(_safe_next(request))
    response.set_cookie(
        settings.LANGUAGE_COOKIE_NAME,
        language,
        max_age=365 * 24 * 3600,
        secure=settings.LANGUAGE_COOKIE_SECURE,
        httponly=settings.LANGUAGE_COOKIE_HTTPONLY,
        samesite=settings.LANGUAGE_COOKIE_SAMESITE,
    )
    return response


@login_required
def purpose(request):
    form = PurposeForm(request.POST or None, initial={"purpose": request.session.get("purpose")})
    if request.method == "POST" and form.is_valid():
        try:
            services.set_purpose(session=request.session, purpose=form.cleaned_data["purpose"])
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            return redirect(_safe_next(request))
    return render(request, "accounts/purpose.html", {"form": form, "next": _safe_next(request)})


@login_required
def preferences(request):
    user = request.user
    form = PreferencesForm(request.POST or None, user=user)
    if request.method == "POST" and form.is_valid():
        services.set_preferences(user=user, **form.cleaned_data)
        messages.success(request, _("Your preferences are saved."))
        response = redirect("accounts:preferences")
        response.set_cookie(settings.LANGUAGE_COOKIE_NAME, user.language, samesite="Lax")
        return response
    role_labels = [Role(r).label for r in sorted(user.roles)]
    return render(request, "accounts/preferences.html", {"form": form, "role_labels": role_labels})


def _require_api_use(user):
    if not user.has_perm_code(Perm.USE_API):
        raise PermissionDenied


@login_required
def tokens(request):
    _require_api_use(request.user)
    form = ApiTokenForm(request.POST or None)
    secret = None
    if request.method == "POST" and form.is_valid():
        try:
            _token, secret = services.create_api_token(user=request.user, **form.cleaned_data)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            form = ApiTokenForm()
    return render(
        request,
        "accounts/tokens.html",
        {"form": form, "secret": secret, "tokens": request.user.api_tokens.all()},
    )


@login_required
@require_POST
def token_revoke(request, pk: int):
    # Anyone may revoke their own tokens, even after losing API access.
    token = get_object_or_404(request.user.api_tokens, pk=pk)
    services.revoke_api_token(token=token, by=request.user)
    messages.success(request, _("The token is revoked."))
    return redirect("accounts:tokens")
