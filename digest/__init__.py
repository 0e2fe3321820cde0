"""The digest's domain core: pure functions over plain dataclasses.

Nothing in this package imports Pelican, markdown-it or a command-line library, so ingest,
the Pelican plugins and the editor tools can all share it (see ``docs/architecture.md``).
"""
