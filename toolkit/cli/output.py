"""Where the CLI writes: data and summaries to stdout, findings, progress and errors to stderr."""

from __future__ import annotations

from rich.console import Console

out_console = Console(highlight=False, soft_wrap=True)
err_console = Console(stderr=True, highlight=False, soft_wrap=True)


def print_findings(findings, *, limit: int | None = None) -> None:
    """Print each finding as its one clear line on stderr (errors red, warnings yellow)."""
    style = {"error": "red", "warning": "yellow", "info": "dim"}
    shown = findings if limit is None else findings[:limit]
    for finding in shown:
        err_console.print(finding.line(), style=style.get(finding.level), markup=False)
    if limit is not None and len(findings) > limit:
        err_console.print(f"... and {len(findings) - limit} more (see the JSON report)")
