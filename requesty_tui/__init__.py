"""requesty-tui: a full-screen terminal chat client for the Requesty LLM router."""

__version__ = "0.1.0"
