"""What every signed-in page needs of the session rules: the time its session has left, for the script that
warns before it ends (templates/includes/session_dialog.html, static/js/session.js)."""

from . import services


def session_clock(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated or not hasattr(request, "session"):
        return {}
    return {"session_clock": services.session_clock(request.session)}
