"""Workflows: the only code that strings stages together.

    sync        `corpus sync`: ingest -> push -> pull -> review -> build -> report -> tab
    demo        `corpus demo`: a local server, the samples, simulated annotators, sync
    adjudicate  `corpus adjudicate`: the project's tab at what the newest snapshot leaves
    next_up     `corpus suggest` and `corpus push --slice`: suggestions, weak items first,
                the next slice in priority order

Each stage stays callable on its own (toolkit.ingest, toolkit.studio, toolkit.review,
toolkit.dataset, toolkit.html_report); these modules import ``datasets`` through
build, so the CLI imports them only when a command runs one.
"""
