"""Before a send: will it fit the model's context window? If not, Enter does not send into a
400: a dialog offers the recent turns that fit, a model with a larger window, or to cancel."""

from __future__ import annotations

from typing import TYPE_CHECKING

from requesty_tui.chat.meter import estimate, recent_that_fit
from requesty_tui.core.formatting import plural
from requesty_tui.ui.screens.dialogs import Choice
from requesty_tui.ui.widgets.prompt_input import PromptInput

if TYPE_CHECKING:
    from requesty_tui.ui.screens.chat import ChatScreen


def fit_check(screen: ChatScreen, text: str) -> bool:
    """True: send as it is. False: it would not fit; the text is back in the input box and a
    dialog asks what to do (its answer may send it after all)."""
    catalogue = screen.services.catalogue
    pending = screen.attach.pending
    meter = estimate(screen.conversation, text, catalogue.info(screen.model), pending)
    if meter.fits or meter.window is None:
        return True
    window = meter.window
    screen.query_one(PromptInput).restore(text)
    fitting = recent_that_fit(screen.conversation, text, window, pending)
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
        f"This message would not fit {screen.model}'s context window: "
        f"{meter.label()}. Nothing has been sent."
    )

    async def answered(choice: str | None) -> None:
        if choice == "recent" and fitting is not None:
            kept, left_out = fitting
            screen.query_one(PromptInput).clear()
            if left_out:
                sent = "this message alone"  # nothing older fits
                if kept:
                    sent = f"with the last {plural(len(kept), 'message')}"
                screen.notify(
                    f"Sent {sent}; {plural(left_out, 'earlier message')} left out of this "
                    "request (they stay in the conversation).",
                    markup=False,
                )
            await screen.send(text, keep=kept)
        elif choice == "model":
            screen.action_pick_model()

    screen.app.push_screen(Choice(question, answers), answered)
    return False
