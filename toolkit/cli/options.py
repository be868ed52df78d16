"""Options shared by several commands, declared once."""

from __future__ import annotations

import typer

# Every command that talks to Label Studio (push, pull, sync) takes these.
UrlOption = typer.Option(
    None, "--url", envvar="LABEL_STUDIO_URL", show_envvar=True,
    help="Label Studio URL (default: the local server of `corpus studio up`).",
)
ApiKeyOption = typer.Option(
    None, "--api-key", envvar="LABEL_STUDIO_API_KEY", show_envvar=True, show_default=False,
    help="Label Studio API key (default: .corpus/credentials for the local server).",
)
