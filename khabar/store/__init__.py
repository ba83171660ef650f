"""The SQLite store: the only place SQL runs (articles, analyses, search, the story index)."""
