"""What every page's header needs from the sites app: the unread notifications (counted only if shown)."""

from qic import access

from .notifications import Inbox


def notifications(request):
    return {"inbox": Inbox(request.user, access.scope_of(request))}
