"""Pick a model: a filter box over the router's list; any typed id is accepted too.
:class:`ModelSetPicker` picks several (a comparison).

| key | action |
| --- | --- |
| up/down | move in the list |
| enter | choose the highlighted model (or the typed id when nothing matches); several: confirm |
| space | with several: choose or drop the highlighted model |
| ctrl+s (or * in the list) | star or unstar the highlighted model (starred and recent come first) |
| ctrl+a | show every model, also those that cannot chat (embeddings, images, speech) |
| escape | close without changing |
"""

from __future__ import annotations

from typing import TYPE_CHECKING, TypeVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.widgets import Input, OptionList, Static
from textual.widgets.option_list import Option

from requesty_tui.core.domain import ModelInfo
from requesty_tui.core.formatting import per_million
from requesty_tui.core.markdown_blocks import make_safe
from requesty_tui.core.model_filter import describe, filter_models
from requesty_tui.ui.screens.filter_list import LIST_BINDINGS, FilterListScreen

if TYPE_CHECKING:
    from requesty_tui.chat.favourites import Favourites

R = TypeVar("R")


class ModelList(FilterListScreen[R]):
    """The filter box, the list and the details; what Enter does is the subclass's."""

    CSS_PATH = "model_picker.tcss"
    TITLE = "Model"
    FILTER: type[Input] = Input
    BINDINGS = [
        Binding("escape", "dismiss(None)", "Close", id="picker.close"),
        # Priority: the filter box would take ctrl+a (start of line).
        Binding("ctrl+a", "toggle_all", "All models", id="picker.all", priority=True),
        Binding("ctrl+s", "star", "Star", id="picker.star", priority=True),
        # Not a priority: typed in the filter box, * is text; on the list, it stars.
        Binding("asterisk", "star", "Star", id="picker.star_in_list", show=False),
        *LIST_BINDINGS,
    ]

    def __init__(
        self,
        models: list[ModelInfo],
        current: str,
        status: str = "",
        favourites: Favourites | None = None,
    ) -> None:
        super().__init__()
        self.models = models
        self.current = current
        self.status = status
        self.favourites = favourites
        """Starred and recent models (their sections first); None: one list."""
        self._shown: list[ModelInfo | None] = []
        """What each option shows: a model, or None for a section's heading."""
        self._options: dict[str, Option] = {}
        self.show_all = False
        """Also the models that cannot chat (hidden by default: choosing one only fails)."""

    def compose(self) -> ComposeResult:
        with Vertical(id="picker"):
            yield self.FILTER(placeholder="Filter models, or type any model id", id="picker-filter")
            yield OptionList(id="picker-list")
            yield Static("", id="picker-detail", markup=False)
            yield Static("", id="picker-status", markup=False)

    def on_mount(self) -> None:
        self.query_one("#picker").border_title = self.TITLE
        self._apply_filter("")
        self.query_one(Input).focus()

    def set_models(self, models: list[ModelInfo], status: str = "") -> None:
        """The list arrived or was refreshed while the picker is open."""
        self.models = models
        self.status = status
        self._options.clear()
        self._apply_filter(self.query_one(Input).value)

    def _option(self, model: ModelInfo) -> Option:
        """The option, built once per model: it keeps its measured height, so filtering does
        not wrap 1,000 labels again on every key (that was 80% of a keystroke)."""
        option = self._options.get(model.id)
        if option is None:
            label = self._mark(model.id) + Text(
                model.id, style="bold" if model.id == self.current else ""
            )
            if model.is_policy:
                label = Text("◆ ") + label
            if self.favourites is not None and self.favourites.is_starred(model.id):
                label = Text("★ ", style="bold") + label
            facts = describe(model)
            if not self._listed(model.id):
                label.append("  not available on this server", style="dim italic")
            elif facts:
                label.append(f"  {facts}", style="dim")
            option = self._options[model.id] = Option(label)
        return option

    def _mark(self, model_id: str) -> Text:
        """What goes before a model's name (the multi-select's check box)."""
        return Text()

    def _choose(self, model_id: str) -> None:
        raise NotImplementedError

    def action_toggle_all(self) -> None:
        self.show_all = not self.show_all
        self._apply_filter(self.query_one(Input).value)

    def _listed(self, model_id: str) -> bool:
        """The server lists it (or its list has not come yet)."""
        return not self.models or any(m.id == model_id for m in self.models)

    def _sections(self, query: str) -> list[tuple[str, list[ModelInfo]]]:
        """Starred, recently used, then everything (each filtered); one unnamed list when
        nothing is starred or recent."""
        everything = filter_models(self.models, query, include_all=self.show_all)
        favourites = self.favourites
        if favourites is None or not (favourites.starred or favourites.recent):
            return [("", everything)]
        known = {m.id: m for m in self.models}

        def models(ids: list[str]) -> list[ModelInfo]:
            infos = [known.get(i) or ModelInfo(id=i) for i in ids]
            return filter_models(infos, query) if query.strip() else infos  # as kept

        stars = favourites.starred
        recent = [m for m in favourites.recent if m not in stars]
        return [
            ("★ Starred (ctrl+s stars or unstars)", models(stars)),
            ("Recently used", models(recent)),
            ("All models", everything),
        ]

    def _apply_filter(self, query: str) -> None:
        shown: list[ModelInfo | None] = []
        options: list[Option] = []
        for heading, models in self._sections(query):
            if not models:
                continue
            if heading:
                shown.append(None)
                options.append(Option(Text(heading, style="bold dim"), disabled=True))
            shown += models
            options += [self._option(model) for model in models]
        self._shown = shown
        option_list = self.query_one(OptionList)
        option_list.set_options(options)
        if any(m is not None for m in shown):
            first = next(i for i, m in enumerate(shown) if m is not None)
            current = (i for i, m in enumerate(shown) if m is not None and m.id == self.current)
            option_list.highlighted = first if query else next(current, first)
        else:
            self.query_one("#picker-detail", Static).update("")
        self.query_one("#picker-status", Static).update(Text(self._status(query)))

    def _highlighted_model(self) -> ModelInfo | None:
        index = self.query_one(OptionList).highlighted
        return self._shown[index] if index is not None and index < len(self._shown) else None

    def action_star(self) -> None:
        """Star or unstar the highlighted model (it stays highlighted)."""
        model = self._highlighted_model()
        if model is None or self.favourites is None:
            return
        try:
            starred = self.favourites.toggle_star(model.id)
        except OSError as exc:
            self.notify(f"Could not save the star: {exc}", severity="warning", markup=False)
            return
        self._options.pop(model.id, None)
        self._apply_filter(self.query_one(Input).value)
        option_list = self.query_one(OptionList)
        at = next(
            (i for i, m in enumerate(self._shown) if m is not None and m.id == model.id), None
        )
        if at is not None:  # (an unstarred model the server does not list is gone)
            option_list.highlighted = at
        self.notify(f"{model.id} {'starred' if starred else 'unstarred'}.", markup=False)

    def _status(self, query: str) -> str:
        shown = [m for m in self._shown if m is not None]
        status = self.status
        if not shown and query.strip():
            status = f"No model matches. Enter uses {query.strip()!r} as the model id."
        elif not status:
            status = f"{len(shown)} of {len(self.models)} models"
            hidden = sum(1 for m in self.models if not m.can_chat)
            if hidden and not self.show_all:
                status += f" · {hidden} that cannot chat hidden (ctrl+a shows them)"
            elif hidden:
                status += " · ctrl+a hides those that cannot chat"
        return status

    @on(OptionList.OptionHighlighted)
    def _highlighted(self, event: OptionList.OptionHighlighted) -> None:
        index = event.option_index
        model = self._shown[index] if 0 <= index < len(self._shown) else None
        if model is not None:
            self.query_one("#picker-detail", Static).update(details(model))

    @on(Input.Changed, "#picker-filter")
    def _filter_changed(self, event: Input.Changed) -> None:
        self._apply_filter(event.value)

    @on(Input.Submitted, "#picker-filter")
    def _submitted(self, event: Input.Submitted) -> None:
        model = self._highlighted_model()
        if model is not None:
            self._choose(model.id)
        elif event.value.strip():
            self._choose(event.value.strip())

    @on(OptionList.OptionSelected)
    def _selected(self, event: OptionList.OptionSelected) -> None:
        model = self._shown[event.option_index] if event.option_index < len(self._shown) else None
        if model is not None:
            self._choose(model.id)


class ModelPicker(ModelList[str | None]):
    """Returns the chosen model id, or None."""

    def _choose(self, model_id: str) -> None:
        self.dismiss(model_id)


class _SpaceLeftForTheList(Input):
    """A filter box that lets space through to the screen's binding: a focused Input keeps
    every printable key from priority bindings (Textual asks ``check_consume_key``)."""

    def check_consume_key(self, key: str, character: str | None) -> bool:
        return key != "space" and super().check_consume_key(key, character)


class ModelSetPicker(ModelList[list[str] | None]):
    """Several models, in the order chosen (a comparison's columns): space chooses or drops the
    highlighted one, enter confirms. Type ids as they are written (``claude-son``): space is
    taken. Returns the list, or None."""

    TITLE = "Compare models: space chooses, enter confirms"
    FILTER = _SpaceLeftForTheList
    BINDINGS = [Binding("space", "toggle_model", "Choose", id="picker.toggle", priority=True)]

    def __init__(
        self,
        models: list[ModelInfo],
        chosen: list[str],
        status: str = "",
        limits: tuple[int, int] = (2, 4),
    ) -> None:
        super().__init__(models, "", status)
        self.chosen = list(chosen)
        self.limits = limits

    def _mark(self, model_id: str) -> Text:
        if model_id in self.chosen:
            return Text(f"[{self.chosen.index(model_id) + 1}] ", style="bold")
        return Text("[ ] ", style="dim")

    def action_toggle_model(self) -> None:
        option_list = self.query_one(OptionList)
        typed = self.query_one(Input).value.strip()
        highlighted_model = self._highlighted_model()
        if highlighted_model is not None:
            model_id = highlighted_model.id
        elif typed:
            model_id = typed  # any id, as in the single picker
        else:
            return
        if model_id in self.chosen:
            self.chosen.remove(model_id)
        elif len(self.chosen) < self.limits[1]:
            self.chosen.append(model_id)
        else:
            self.notify(f"At most {self.limits[1]} models.", severity="warning")
            return
        self._options.clear()  # the marks changed (the numbers of the others too)
        highlighted = option_list.highlighted
        self._apply_filter(self.query_one(Input).value)
        if highlighted is not None and highlighted < option_list.option_count:
            option_list.highlighted = highlighted

    def _choose(self, model_id: str) -> None:
        low, high = self.limits
        if not self.chosen:
            self.action_toggle_model()
        if low <= len(self.chosen) <= high:
            self.dismiss(list(self.chosen))
        else:
            self.notify(f"Choose {low} to {high} models with space (now {len(self.chosen)}).",
                        severity="warning")  # fmt: skip

    def _status(self, query: str) -> str:
        chosen = ", ".join(self.chosen) if self.chosen else "none yet"
        return f"Chosen: {chosen} · {super()._status(query)}"


def details(model: ModelInfo) -> Text:
    """The highlighted model in full: name, facts, cached price, description (as data)."""
    text = Text(model.name or model.id, style="bold")
    if model.name and model.name != model.id:
        text.append(f"  {model.id}", style="dim")
    facts = describe(model)
    if model.cached_price is not None:
        cached = f"cached input {per_million(model.cached_price)} per M"
        facts = f"{facts} · {cached}" if facts else cached
    if facts:
        text.append(f"\n{facts}")
    if model.description:
        text.append("\n" + make_safe(" ".join(model.description.split())), style="italic")
    elif model.is_policy:
        text.append("\nA routing policy from your Requesty dashboard (fallback, load balancing…).")
    return text
