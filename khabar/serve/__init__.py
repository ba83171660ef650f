"""The HTTP API and the right-to-left web pages over a store."""
