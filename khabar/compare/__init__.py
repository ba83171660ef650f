"""Comparing two articles: profiles, pair features, the learned scorer, alignment, MinHash."""
