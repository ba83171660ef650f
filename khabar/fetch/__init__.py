"""Fetching: feeds and sitemaps read, their pages downloaded politely and ingested as ``ingest`` does."""
