"""Label Studio: the local server, the connection to any server, and what goes through it.

    server       start, stop and inspect the local Label Studio (`corpus studio`)
    credentials  the local server's login and API key file (0600)
    connection   where a Label Studio is, its key, retries, errors mapped to ours
    project      a schema's project: finding it again, keeping its settings in line
    labelconfig  the schema as Label Studio's labeling config (XML) and instructions
    push         the corpus's units as tasks, recorded in the ledger
    ledger       key -> task id, per server and schema
    pull         the annotations back as a snapshot file
    snapshot     the snapshot file format (write, open, stream)
    results      answers -> Label Studio result items (the demo's annotator)
    predictions  which of a model's answers are suggested; the version the UI shows
    suggest      predictions attached to tasks already on the server (`corpus suggest`)
    order        the priority order push imports a slice in (least confident first)
    overlap      a task's own overlap raised: one more answer for a weak item
    next_up      the "Next up (N)" tab: open tasks with a suggestion, by score
    annotate     annotator accounts and submitting annotations through the API

The modules are imported by name (``from toolkit.studio.push import push``); importing
the package itself loads none of them (the SDK is slow to import).
"""

__all__: list[str] = []
