"""The served page: textual-serve's, with everything it needs from this server.

The stock page asks a font CDN for Roboto Mono, so each visit was told to a third party and
offline the terminal fell back to another font; textual-serve bundles the font, so it comes
from ``/static`` here. Its addresses are relative, so the page works under whatever name it
was reached by (127.0.0.1, localhost, an SSH tunnel's port).
"""

from __future__ import annotations

import html
from string import Template

PAGE = Template("""<!DOCTYPE html>
<html>
  <head>
    <meta charset="utf-8" />
    <title>$title</title>
    <link rel="icon" href="data:," />
    <link rel="stylesheet" href="/static/css/xterm.css" />
    <link rel="preload" href="/static/fonts/RobotoMono-VariableFont_wght.ttf" as="font"
      type="font/ttf" crossorigin />
    <script src="/static/js/textual.js"></script>
    <style>
      @font-face {
        font-family: "Roboto Mono";
        src: url("/static/fonts/RobotoMono-VariableFont_wght.ttf") format("truetype");
        font-style: normal;
      }
      @font-face {
        font-family: "Roboto Mono";
        src: url("/static/fonts/RobotoMono-Italic-VariableFont_wght.ttf") format("truetype");
        font-style: italic;
      }
      body { background: #0c181f; margin: 0; }
      .dialog-container {
        position: absolute; width: 100vw; height: 100vh; display: flex;
        align-items: center; justify-content: center; z-index: 10;
      }
      .shade { position: absolute; width: 100%; height: 100%; background: #0c181f; }
      .intro {
        width: 640px; height: 240px; font-size: 16px; z-index: 20;
        font-family: "Roboto Mono", menlo, monospace; text-align: center;
        color: rgba(255, 255, 255, 0.95); background-color: #12232d;
        display: flex; flex-direction: column; align-items: center; justify-content: center;
        margin: 32px;
      }
      body.-first-byte .intro-dialog { display: none; }
      body .textual-terminal { opacity: 0; width: 100vw; height: 100vh; }
      body.-first-byte .textual-terminal { opacity: 1; transition: opacity 0.3s ease-out; }
      button {
        padding: 16px 32px; background-color: #5e0ba7; color: rgba(255, 255, 255, 0.95);
        border: none; font-family: "Roboto Mono", menlo, monospace; margin: 16px;
      }
      button:hover { background: #ac5af4; cursor: pointer; }
      .closed-dialog { display: none; }
      body.-closed .closed-dialog { display: flex; }
    </style>
  </head>
  <body>
    <div class="dialog-container intro-dialog">
      <div class="shade"></div>
      <div class="intro"><div>$title</div></div>
    </div>
    <div class="dialog-container closed-dialog">
      <div class="shade"></div>
      <div class="intro">
        <div class="message">Session ended.</div>
        <button type="button" onclick="window.location.reload()">Restart</button>
      </div>
    </div>
    <div id="terminal" class="textual-terminal" data-session-websocket-url="$websocket"
      data-font-size="$font_size"></div>
  </body>
</html>
""")


def page(title: str, websocket_url: str, font_size: int) -> str:
    return PAGE.substitute(
        title=html.escape(title),
        websocket=html.escape(websocket_url, quote=True),
        font_size=font_size,
    )
