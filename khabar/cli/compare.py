"""Placeholder until its commands land."""
