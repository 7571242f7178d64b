"""A rating of a reply (thumbs up or down, a comment), kept with the reply and sent to the
router's feedback endpoint for the completion's id. Sending again replaces the rating; a
refusal or a network error leaves it marked as not sent."""

from __future__ import annotations

from requesty_tui.chat.connection import Connection
from requesty_tui.client.errors import RouterError
from requesty_tui.core.domain import Message, Rating


def rating_label(message: Message) -> str:
    """ "▲ good", "▼ bad (not sent)", or "" for a reply not rated."""
    if message.rating is None:
        return ""
    label = "▲ good" if message.rating == "good" else "▼ bad"
    return label if message.rating_sent else f"{label} (not sent)"


async def rate(
    connection: Connection, message: Message, rating: Rating, comment: str | None = None
) -> str | None:
    """Rate ``message`` and send it; None when the router took it, else the one line that
    says why not (the rating stays, marked not sent). ``comment`` None keeps the last one."""
    message.rating = rating
    if comment is not None:
        message.rating_comment = comment
    message.rating_sent = False
    if not message.completion_id:
        return (
            "Rating kept, not sent: this reply has no completion id (the server sent none, "
            "or it was saved by an older version)."
        )
    client = await connection.ready()
    if not client.api_key:
        return "Rating kept, not sent: no API key is set (ctrl+p → account: set key)."
    from requesty_tui.client.manage import send_feedback

    data = {
        "rating": rating,
        "helpful": rating == "good",
        "comment": message.rating_comment,
    }
    try:
        await send_feedback(client, connection.settings.feedback_host, message.completion_id, data)
    except RouterError as exc:
        return f"Rating kept, not sent: {exc.message}"
    message.rating_sent = True
    return None
