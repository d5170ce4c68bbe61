"""``sfasync bench``: the storage benchmark (SPEC §10). See ``docs/README-bench.md``."""
