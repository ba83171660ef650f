"""khabar (خبر): turn a pile of scraped news, Arabic first, into stories."""

__version__ = "0.1.0"
