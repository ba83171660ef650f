-- Stories: online clustering of articles, and the candidate index that keeps it cheap.

-- One row per story ever made. A story merged into another keeps its row, pointing at the survivor,
-- so an id once printed still resolves.
CREATE TABLE stories (
    id          INTEGER PRIMARY KEY,
    headline    TEXT,                 -- title of the medoid (the most central article)
    medoid      TEXT,                 -- article id
    reps        TEXT NOT NULL DEFAULT '[]',  -- JSON article ids: the medoid, then the most central others
    size        INTEGER NOT NULL DEFAULT 0,
    first_seen  TEXT,
    last_seen   TEXT,
    last_day    INTEGER,              -- days since 1970-01-01 of last_seen: the time window's clock
    merged_into INTEGER REFERENCES stories(id)
);
CREATE INDEX stories_last_seen ON stories(last_seen) WHERE merged_into IS NULL;
CREATE INDEX stories_merged ON stories(merged_into) WHERE merged_into IS NOT NULL;

-- Story membership, one row per clustered article. ``mid`` is a compact key for the band index.
CREATE TABLE story_articles (
    mid        INTEGER PRIMARY KEY,
    article_id TEXT NOT NULL UNIQUE REFERENCES articles(id) ON DELETE CASCADE,
    story_id   INTEGER NOT NULL REFERENCES stories(id),
    seen       TEXT,                  -- published if known, else ingested: the timeline's time
    day        INTEGER NOT NULL,      -- days since 1970-01-01 of ``seen``
    cent_sum   REAL NOT NULL DEFAULT 0,  -- sum and count of model scores against fellow members:
    cent_n     INTEGER NOT NULL DEFAULT 0,  -- their mean ranks members by centrality
    copy_group INTEGER,               -- mid of the first article of its near-copy group
    sig        BLOB NOT NULL,         -- MinHash signature (128 × uint64)
    features   TEXT NOT NULL          -- JSON: top terms with weights and entities (lexical profile)
);
CREATE INDEX story_articles_story ON story_articles(story_id, seen);
CREATE INDEX story_articles_copy ON story_articles(copy_group);

-- LSH band keys of each signature (near-copy candidates), with the article's day for the window.
CREATE TABLE story_bands (
    band INTEGER NOT NULL,
    day  INTEGER NOT NULL,
    mid  INTEGER NOT NULL REFERENCES story_articles(mid) ON DELETE CASCADE,
    PRIMARY KEY (band, day, mid)
) WITHOUT ROWID;
CREATE INDEX story_bands_mid ON story_bands(mid);

-- Inverted index: key ('e:' canonical entity, 't:' rare stem) → stories, with the last day the
-- story posted it, so a lookup reads only the postings inside the time window.
CREATE TABLE story_keys (
    key      TEXT NOT NULL,
    story_id INTEGER NOT NULL REFERENCES stories(id),
    day      INTEGER NOT NULL,
    PRIMARY KEY (key, story_id)
) WITHOUT ROWID;
CREATE INDEX story_keys_day ON story_keys(key, day);
CREATE INDEX story_keys_story ON story_keys(story_id);

-- Document frequency of stems over clustered articles (what makes a term rare).
CREATE TABLE term_df (
    term TEXT PRIMARY KEY,
    df   INTEGER NOT NULL
) WITHOUT ROWID;
