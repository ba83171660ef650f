-- What analysis found in each article: named-entity mentions and reported statements (JSON lists
-- of khabar.types.Mention / Statement dicts), kept so stories and pages need not re-run the models.
CREATE TABLE analyses (
    article_id TEXT PRIMARY KEY REFERENCES articles(id) ON DELETE CASCADE,
    mentions   TEXT NOT NULL DEFAULT '[]',
    statements TEXT NOT NULL DEFAULT '[]',
    model      TEXT  -- which models produced it, so a model change can trigger a re-analysis
);

-- Entity postings for search by person/organisation/place across the store.
CREATE TABLE article_entities (
    article_id TEXT NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
    entity     TEXT NOT NULL,
    type       TEXT NOT NULL,
    count      INTEGER NOT NULL,
    PRIMARY KEY (article_id, entity, type)
);
CREATE INDEX article_entities_entity ON article_entities(entity);
