"""A local stand-in router, a Markdown corpus and a tmux driver, for the tests and benchmarks.

Nothing in the app imports this package (an import-linter contract checks it).
"""
