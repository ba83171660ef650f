-- Every URL `khabar fetch` has seen: the feeds and sitemaps it read and the pages they listed, with
-- what the last request answered, so that the next pass sends conditional requests (ETag,
-- Last-Modified), skips pages already stored, and retries a failed page a bounded number of times.
CREATE TABLE urls (
    url           TEXT PRIMARY KEY,
    kind          TEXT NOT NULL CHECK (kind IN ('feed', 'page')),
    feed          TEXT,              -- the feed or sitemap that listed this page last
    listed_mod    TEXT,              -- the page's date as that listing gave it (lastmod, updated)
    status        INTEGER,           -- the last HTTP status; NULL when no answer came
    error         TEXT,              -- why the last try failed; NULL when it did not
    etag          TEXT,
    last_modified TEXT,
    final_url     TEXT,              -- where redirects led
    fetched       TEXT,              -- the last request (ISO 8601, UTC)
    changed       TEXT,              -- the last 200 answer
    failures      INTEGER NOT NULL DEFAULT 0,  -- failed tries in a row
    article_id    TEXT REFERENCES articles(id) ON DELETE SET NULL
) WITHOUT ROWID;
CREATE INDEX urls_feed ON urls(feed);
CREATE INDEX urls_article ON urls(article_id);
