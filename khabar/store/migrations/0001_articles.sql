-- Articles keyed by a hash of their clean content, with the raw text kept beside the clean one.
CREATE TABLE articles (
    id        TEXT PRIMARY KEY,
    title     TEXT NOT NULL,
    text      TEXT NOT NULL,
    raw       TEXT NOT NULL,
    url       TEXT,
    source    TEXT,
    lang      TEXT,
    published TEXT,
    author    TEXT,
    input_id  TEXT,
    origin    TEXT,
    ingested  TEXT NOT NULL,
    spans     TEXT NOT NULL DEFAULT '[]'  -- JSON [[clean_start, raw_start, length], ...]
);
CREATE INDEX articles_input_id ON articles(input_id);
CREATE INDEX articles_source ON articles(source);
CREATE INDEX articles_published ON articles(published);

-- Full-text index over the matching form (khabar.text.arabic.words), and the light stems as a
-- second column for recall; tied to articles by rowid.
CREATE VIRTUAL TABLE articles_fts USING fts5(
    title, body, stems, tokenize='unicode61 remove_diacritics 0'
);
