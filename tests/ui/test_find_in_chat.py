"""Find in the conversation (ctrl+f): marks, the count, going to a match far up, folded blocks,
other branches, esc."""

from __future__ import annotations

from requesty_tui.core.domain import Conversation, Message
from requesty_tui.core.settings import Settings
from requesty_tui.core.tools import ToolCall
from requesty_tui.testing.router import RouterServer
from requesty_tui.ui.app import RequestyApp
from requesty_tui.ui.widgets.conversation import ConversationView
from requesty_tui.ui.widgets.find_bar import FindBar
from requesty_tui.ui.widgets.highlight import HIGHLIGHT
from requesty_tui.ui.widgets.message import AssistantMessage, UserMessage
from requesty_tui.ui.widgets.prompt_input import PromptInput
from tests.support.ui import chat_screen, type_text, wait_for


def long_conversation(n: int = 120) -> Conversation:
    conv = Conversation(id="20261120-100000-find", model="openai/gpt-4o-mini", title="Long")
    for i in range(n):
        conv.messages.append(Message(role="user", content=f"question {i}"))
        text = f"answer {i}: plain text"
        if i == 3:
            text = "The **needle** is here, [bold]not markup[/bold].\n\n" + "filler\n\n" * 30
            text += "second Needle at the end"
        conv.messages.append(Message(role="assistant", content=text, finish_reason="stop"))
    return conv


def count_text(app: RequestyApp) -> str:
    return str(app.screen.query_one(FindBar).count.content)


def marked(line: object) -> list[str]:
    """The texts of a line drawn in the highlight style."""
    from textual.strip import Strip

    assert isinstance(line, Strip)
    style = HIGHLIGHT.split()
    return [
        seg.text for seg in line if seg.style is not None and seg.style.reverse and "bold" in style
    ]


async def test_find_counts_marks_and_goes_to_a_match_far_up(
    router: RouterServer, settings: Settings
) -> None:
    app = RequestyApp(settings, conversation=long_conversation())
    async with app.run_test(size=(80, 24)) as pilot:
        chat = chat_screen(app)
        view = chat.query_one(ConversationView)
        await wait_for(pilot, lambda: chat.query(AssistantMessage), what="the history")
        assert view.hidden_count > 200, "the needle's message is far behind the marker"
        await pilot.press("ctrl+f")
        await wait_for(pilot, lambda: chat.query(FindBar), what="the find bar")
        await type_text(pilot, "needle")
        await wait_for(pilot, lambda: "2 matches" in count_text(app), what="the count")
        await pilot.press("enter")
        await wait_for(pilot, lambda: count_text(app).startswith("1 / 2"), what="match 1")
        reply = next(
            w
            for w in chat.query(AssistantMessage)
            if w.message is not None and "needle" in w.message.content
        )
        assert reply.has_class("-find-current")
        await pilot.pause()
        # In view, and the word marked where it is drawn.
        assert view.scroll_y <= reply.virtual_region.y <= view.scroll_y + view.size.height
        lines = [reply.body.render_line(y) for y in range(reply.body.line_count())]
        assert any("needle" in "".join(marked(line)) for line in lines)
        assert any("[bold]not markup[/bold]" in line.text for line in lines), "markup is inert"
        # Not all of the 200+ messages after it were mounted to get there.
        assert len(view.message_widgets()) < 80
        await pilot.press("enter")
        await wait_for(pilot, lambda: count_text(app).startswith("2 / 2"), what="match 2")
        await pilot.pause()
        body = reply.body
        line = next(y for y in range(body.line_count()) if "Needle" in body.render_line(y).text)
        row = body.region.y - view.content_region.y + line
        assert 0 <= row < view.content_region.height, "the second match's line is in view"
        await pilot.press("escape")
        await wait_for(pilot, lambda: not chat.query(FindBar), what="the bar to close")
        assert isinstance(app.focused, PromptInput)
        # The reply, unless it was put away since (scrolled far off), and every message shown.
        shown = [w for w in chat.query(AssistantMessage) if w.message is not None]
        for widget in [reply] if reply.is_attached else []:
            assert not any(marked(widget.body.render_line(y)) for y in range(body.line_count()))
            assert not widget.has_class("-find-current")
        for widget in shown:
            lines = range(widget.body.line_count())
            assert not any(marked(widget.body.render_line(y)) for y in lines)
            assert not widget.has_class("-find-current")


async def test_smart_case_and_literal_text(router: RouterServer, settings: Settings) -> None:
    app = RequestyApp(settings, conversation=long_conversation(10))
    async with app.run_test(size=(80, 24)) as pilot:
        chat = chat_screen(app)
        await wait_for(pilot, lambda: chat.query(AssistantMessage), what="the history")
        await pilot.press("ctrl+f")
        await wait_for(pilot, lambda: chat.query(FindBar), what="the find bar")
        await type_text(pilot, "Needle")
        await wait_for(pilot, lambda: "1 match" in count_text(app), what="capital: exact case")
        bar = chat.query_one(FindBar)
        bar.input.value = "answer .:"
        await wait_for(pilot, lambda: "no match" in count_text(app), what="a dot is a dot")
        bar.input.value = "[bold]"
        await wait_for(pilot, lambda: "1 match" in count_text(app), what="brackets are text")


async def test_find_opens_folded_thinking_and_tool_results(
    router: RouterServer, settings: Settings
) -> None:
    conv = Conversation(id="20261120-100000-fold", model="openai/gpt-4o-mini", title="Fold")
    call = ToolCall(id="c1", name="search", arguments='{"q": "cats"}')
    conv.messages = [
        Message(role="user", content="look it up"),
        Message(
            role="assistant",
            content="",
            reasoning="I think about zebras first",
            finish_reason="tool_calls",
            tool_calls=[call],
        ),
        Message(
            role="tool",
            content="\n".join(f"line {i}" for i in range(10)) + "\nzebras in the result",
            tool_call_id="c1",
            tool_status="ok",
        ),
        Message(role="assistant", content="done", finish_reason="stop"),
    ]
    app = RequestyApp(settings, conversation=conv)
    async with app.run_test(size=(80, 24)) as pilot:
        chat = chat_screen(app)
        await wait_for(pilot, lambda: chat.query(AssistantMessage), what="the history")
        reply = chat.query(AssistantMessage).first()
        assert reply.thinking is not None and not reply.thinking.expanded
        [block] = reply.tool_blocks.values()
        assert not block.expanded
        await pilot.press("ctrl+f")
        await wait_for(pilot, lambda: chat.query(FindBar), what="the find bar")
        await type_text(pilot, "zebras")
        await wait_for(pilot, lambda: "2 matches" in count_text(app), what="the count")
        await pilot.press("enter")
        await wait_for(pilot, lambda: reply.thinking.expanded, what="the thinking opened")
        await pilot.press("enter")
        await wait_for(pilot, lambda: block.expanded, what="the result opened")
        assert "zebras in the result" in str(block.output.content)
        spans = block.output.content.spans  # type: ignore[attr-defined]
        assert any(str(span.style) == HIGHLIGHT for span in spans), "marked in the result"


async def test_matches_in_other_branches_are_counted_and_shown_on_demand(
    router: RouterServer, settings: Settings
) -> None:
    from tests.support.ui import run_command

    conv = Conversation(id="20261120-100000-tree", model="openai/gpt-4o-mini", title="Tree")
    prompt = Message(role="user", content="tell me")
    old = Message(role="assistant", content="an okapi story", finish_reason="stop")
    new = Message(role="assistant", content="a giraffe story", finish_reason="stop")
    conv.messages = [prompt]
    conv.add(old)
    conv.add(new, under=prompt)
    app = RequestyApp(settings, conversation=conv)
    async with app.run_test(size=(80, 24)) as pilot:
        chat = chat_screen(app)
        await wait_for(pilot, lambda: chat.query(AssistantMessage), what="the history")
        assert chat.query(AssistantMessage).last().message is new
        await pilot.press("ctrl+f")
        await wait_for(pilot, lambda: chat.query(FindBar), what="the find bar")
        await type_text(pilot, "okapi")
        await wait_for(
            pilot, lambda: "also 1 in other branches" in count_text(app), what="elsewhere"
        )
        assert "no match" in count_text(app)
        await run_command(pilot, "find: show the other branch")
        await wait_for(
            pilot,
            lambda: any(w.message is old for w in chat.query(AssistantMessage)),
            what="the other branch on screen",
        )
        await wait_for(pilot, lambda: count_text(app).startswith("1 / 1"), what="gone to it")
        assert chat.conversation.current() is old


async def test_user_messages_are_marked_too(router: RouterServer, settings: Settings) -> None:
    app = RequestyApp(settings, conversation=long_conversation(5))
    async with app.run_test(size=(80, 24)) as pilot:
        chat = chat_screen(app)
        await wait_for(pilot, lambda: chat.query(UserMessage), what="the history")
        await pilot.press("ctrl+f")
        await wait_for(pilot, lambda: chat.query(FindBar), what="the find bar")
        await type_text(pilot, "question 4")
        await wait_for(pilot, lambda: "1 match" in count_text(app), what="the count")
        last = chat.query(UserMessage).last()
        spans = last.visual.spans if hasattr(last.visual, "spans") else []  # type: ignore[union-attr]
        assert any(str(span.style) == HIGHLIGHT for span in spans)
