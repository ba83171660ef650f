"""Following the news: alerts (saved queries matched on new articles, webhooks, Atom), a page per actor, exports and digests."""
