"""The `editor` group: runs the news desk from the admin, but cannot manage users or API tokens.

Editors get every permission of the core app (so models added later, e.g. glossary entries, are
included) except API tokens and deleting sources or articles: an editor pauses a source and
withdraws an article instead, so nothing stored is lost by a slip of the mouse.
"""

from __future__ import annotations

from django.contrib.auth.models import Group, Permission, User
from django.db.models import Q

EDITOR_GROUP = "editor"
# The review queue is a proxy of Article with permissions of its own: deleting there deletes the article.
WITHHELD = Q(content_type__model="apitoken") | Q(codename__in=["delete_source", "delete_article", "delete_reviewqueueitem"])


def ensure_editor_group() -> Group:
    """Create or refresh the group; safe to run again after each migration."""
    group, _ = Group.objects.get_or_create(name=EDITOR_GROUP)
    allowed = Permission.objects.filter(content_type__app_label="core").exclude(WITHHELD)
    group.permissions.set(allowed)
    return group


def create_editor(username: str, email: str, password: str) -> User:
    """A staff account in the editor group (not a superuser)."""
    if User.objects.filter(username=username).exists():
        raise ValueError(f"a user named {username!r} already exists")
    user = User.objects.create_user(username=username, email=email, password=password, is_staff=True)
    user.groups.add(ensure_editor_group())
    return user
