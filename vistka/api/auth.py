"""API tokens: the secret is shown once when made; only its SHA-256 is stored."""

from __future__ import annotations

import hashlib
import secrets

from django.contrib.auth.models import User
from django.utils import timezone
from ninja.security import HttpBearer

from vistka.core.models import ApiToken


def _digest(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def issue_token(user: User, name: str) -> str:
    """Store a new token for `user` and return its secret (the only time it is visible)."""
    key = "vt_" + secrets.token_urlsafe(32)
    ApiToken.objects.create(user=user, name=name, key_hash=_digest(key))
    return key


class TokenAuth(HttpBearer):
    """`Authorization: Bearer <token>`; the request acts as the token's (active, staff) user."""

    def authenticate(self, request, token: str) -> User | None:
        found = ApiToken.objects.select_related("user").filter(key_hash=_digest(token)).first()
        if found is None or not (found.user.is_active and found.user.is_staff):
            return None
        ApiToken.objects.filter(pk=found.pk).update(last_used_at=timezone.now())
        request.user = found.user
        return found.user
