-- Article ids now name one outlet's publication (khabar.read.clean.article_id: the content hash
-- with the URL, else the outlet), so an exact repost by a second outlet is a second article. Rows
-- stored before keep their content-only ids; a store that holds such rows says so here, and a
-- re-ingest of one of them (same text, same URL or outlet) is then still found as a duplicate.
CREATE TABLE store_meta (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
) WITHOUT ROWID;
INSERT INTO store_meta (key, value) SELECT 'content_ids', '1' WHERE EXISTS (SELECT 1 FROM articles);
