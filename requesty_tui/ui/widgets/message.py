"""One widget per turn: the user's text, the assistant's streamed reply, a notice.

Each lives in its own module; this one gathers them, so that screens and tests import the
message widgets from one place:

- :mod:`.user_message`: :class:`UserMessage`, what the user sent;
- :mod:`.assistant_message`: :class:`AssistantMessage`, a reply (header, thinking, Markdown
  body, tool calls);
- :mod:`.notice`: :class:`Notice`, an error or information line;
- :mod:`.message_labels`: what their frames say (titles, the reply's header and end state).

Text from the model is data: it goes into ``Content``/``Text`` objects and the Markdown view,
never through Textual markup.
"""

from __future__ import annotations

from requesty_tui.ui.widgets.assistant_message import AssistantMessage, CodeStyle
from requesty_tui.ui.widgets.message_labels import TITLE_AT, arrow_step, switcher
from requesty_tui.ui.widgets.notice import Notice
from requesty_tui.ui.widgets.thinking import ThinkingBlock
from requesty_tui.ui.widgets.user_message import UserMessage

__all__ = [
    "TITLE_AT",
    "AssistantMessage",
    "CodeStyle",
    "Notice",
    "ThinkingBlock",
    "UserMessage",
    "arrow_step",
    "switcher",
]
