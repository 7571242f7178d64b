"""Allow ``python -m requesty_tui``."""

from requesty_tui.cli import main

raise SystemExit(main())
