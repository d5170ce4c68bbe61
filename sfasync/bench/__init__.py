"""``sfasync bench``: the storage benchmark (SPEC §10). See ``README.md, "Choosing a backend"``."""
