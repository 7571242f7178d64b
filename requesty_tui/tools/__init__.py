"""MCP servers as tools: the only package that speaks to the MCP SDK.

Kept free of imports so that importing the package costs nothing; the app imports
:mod:`requesty_tui.tools.mcp_host` (and with it the SDK) only when a server is configured.
"""
