"""A tool's result (the SDK's ``CallToolResult``) as the text the user sees and the model
reads: text parts as they are, other parts as short placeholders."""

from __future__ import annotations

import json

import mcp.types as types


def output_text(result: types.CallToolResult) -> str:
    """A tool's result as one text: text parts joined by newlines, other parts as short
    placeholders, the structured content as JSON when there is nothing else. Not cut."""
    parts: list[str] = []
    for block in result.content:
        if isinstance(block, types.TextContent):
            parts.append(block.text)
        elif isinstance(block, types.ImageContent | types.AudioContent):
            parts.append(f"[{block.type}: {block.mime_type}, {_decoded_size(block.data)} bytes]")
        elif isinstance(block, types.EmbeddedResource):
            resource = block.resource
            if isinstance(resource, types.TextResourceContents):
                parts.append(resource.text)
            else:
                parts.append(f"[resource: {resource.uri}, {resource.mime_type or 'unknown type'}]")
        elif isinstance(block, types.ResourceLink):
            parts.append(f"[resource: {block.uri}, {block.mime_type or 'unknown type'}]")
        else:  # a content type newer than this code
            parts.append(f"[{getattr(block, 'type', 'content')}]")
    if not parts and result.structured_content is not None:
        return json.dumps(result.structured_content, ensure_ascii=False)
    return "\n".join(parts)


def _decoded_size(data: str) -> int:
    """Bytes in a base64 text, without decoding it."""
    data = "".join(data.split())
    return max(0, len(data) * 3 // 4 - (len(data) - len(data.rstrip("="))))
