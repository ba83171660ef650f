"""Analysis of one article: named entities, their linking, and quotes with speaker and stance."""
