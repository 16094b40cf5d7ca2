from __future__ import annotations

from django.contrib.auth.backends import ModelBackend
from django.db.models import Q

from .models import User
from .validators import normalize_phone


def find_user(ident: str | None) -> User | None:
    """The account a login identifier names: a username (case-insensitive) or a phone number in any spelling."""
    ident = (ident or "").strip()
    if not ident:
        return None
    q = Q(username__iexact=ident)
    phone = normalize_phone(ident)
    if phone.startswith("628") and phone.isdigit():
        q |= Q(phone=phone)
    return User.objects.filter(q).order_by("id").first()


class UsernameOrPhoneBackend(ModelBackend):
    """Log in with a username or an Indonesian phone number (0812…, +62812…, 62812…)."""

    def authenticate(self, request, username=None, password=None, **kwargs):
        if not username or password is None:
            return None
        user = find_user(username)
        if user is None:
            User().set_password(password)  # same work as a real check: no timing oracle
            return None
        if user.check_password(password) and self.user_can_authenticate(user):
            return user
        return None
