"""Before a send: will it fit the model's context window? If not, Enter does not send into a
400: a dialog offers the recent turns that fit, a model with a larger window, or to cancel."""

from __future__ import annotations

from requesty_tui.chat.meter import estimate, recent_that_fit
from requesty_tui.core.formatting import plural
from requesty_tui.ui.messages import PickModel, SendText
from requesty_tui.ui.screens.chat_host import ChatParts
from requesty_tui.ui.screens.dialogs import Choice


def fit_check(host: ChatParts, text: str) -> bool:
    """True: send as it is. False: it would not fit; the text is back in the input box and a
    dialog asks what to do (its answer may send it after all)."""
    catalogue = host.services.catalogue
    session = host.session
    pending = session.attachments
    meter = estimate(session.conversation, text, catalogue.info(session.model), pending)
    if meter.fits or meter.window is None:
        return True
    window = meter.window
    host.prompt.restore(text)
    fitting = recent_that_fit(session.conversation, text, window, pending)
    answers = []
    if fitting is not None and fitting[0]:
        kept, left_out = fitting
        answers.append(
            ("recent", f"Send with the last {plural(len(kept), 'message')} only "
                       f"({plural(left_out, 'earlier message')} left out of this request)")
        )  # fmt: skip
    elif fitting is not None:
        answers.append(("recent", "Send this message alone (the whole conversation left out)"))
    larger = [
        m for m in catalogue.models if m.can_chat and m.context_window and m.context_window > window
    ]
    if larger:
        answers.append(("model", "Pick a model with a larger context window"))
    question = (
        f"This message would not fit {session.model}'s context window: "
        f"{meter.label()}. Nothing has been sent."
    )

    def answered(choice: str | None) -> None:
        if choice == "recent" and fitting is not None:
            kept, left_out = fitting
            host.prompt.clear()
            if left_out:
                sent = "this message alone"  # nothing older fits
                if kept:
                    sent = f"with the last {plural(len(kept), 'message')}"
                host.notify(
                    f"Sent {sent}; {plural(left_out, 'earlier message')} left out of this "
                    "request (they stay in the conversation).",
                    markup=False,
                )
            host.post_message(SendText(text, kept))
        elif choice == "model":
            host.post_message(PickModel())

    host.app.push_screen(Choice(question, answers), answered)
    return False
