-- Alerts (saved queries matched on every new article, in the transaction that stores it), their
-- matches, a webhook outbox, and the entity postings behind the page per actor.

-- One saved query; every criterion given must hold (words, entity, speaker, stance).
CREATE TABLE alerts (
    id          INTEGER PRIMARY KEY,
    name        TEXT NOT NULL UNIQUE,
    query       TEXT,                 -- the words as the user typed them (FTS syntax)
    fts         TEXT,                 -- the same query over the matching form, checked by FTS5
    entity      TEXT,                 -- as typed
    entity_key  TEXT,                 -- its matching key (compare.profile.entity_key)
    speaker     TEXT,
    speaker_key TEXT,
    stance      TEXT CHECK (stance IN ('asserts', 'denies')),
    webhook     TEXT,                 -- http(s) URL to POST each match to, or NULL
    created     TEXT NOT NULL
);

-- One row per (alert, article): an alert fires once per matching article.
CREATE TABLE alert_matches (
    id         INTEGER PRIMARY KEY,
    alert_id   INTEGER NOT NULL REFERENCES alerts(id) ON DELETE CASCADE,
    article_id TEXT NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
    matched    TEXT NOT NULL,          -- JSON: what matched (words, entity as written, statement)
    at         TEXT NOT NULL,
    read_at    TEXT,                   -- set by `khabar alerts --new`
    UNIQUE (alert_id, article_id)
);
CREATE INDEX alert_matches_unread ON alert_matches(id) WHERE read_at IS NULL;

-- The webhook outbox: written with the match, emptied by delivery after the commit, so a match is
-- never lost to a crash or a receiver that is down; failures come back after a growing delay.
CREATE TABLE alert_outbox (
    match_id     INTEGER PRIMARY KEY REFERENCES alert_matches(id) ON DELETE CASCADE,
    attempts     INTEGER NOT NULL DEFAULT 0,
    next_at      TEXT NOT NULL,        -- ISO UTC: not before then
    delivered_at TEXT,
    last_error   TEXT
);
CREATE INDEX alert_outbox_due ON alert_outbox(next_at) WHERE delivered_at IS NULL;

-- Entity postings by matching key: one row per key (a mention's canonical name and its surface
-- form, each as a key), article, type and form as written; ``canon`` is the article's canonical key
-- for that mention, so a statement by the canonical name is one by any of its forms.
CREATE TABLE entity_postings (
    key        TEXT NOT NULL,
    article_id TEXT NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
    type       TEXT NOT NULL,
    form       TEXT NOT NULL,
    canon      TEXT NOT NULL,
    n          INTEGER NOT NULL,
    PRIMARY KEY (key, article_id, type, form, canon)
) WITHOUT ROWID;
CREATE INDEX entity_postings_article ON entity_postings(article_id);

-- Articles whose analysis is in entity_postings (one with no entities too); the others (stored
-- before this migration, or by `khabar import`) are indexed when an entity is next looked up.
CREATE TABLE entity_indexed (
    article_id TEXT PRIMARY KEY REFERENCES articles(id) ON DELETE CASCADE
) WITHOUT ROWID;
