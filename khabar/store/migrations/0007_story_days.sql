-- The dated members of a story by day: the earliest dated day of each candidate story is read per
-- new article (rules.story_in_window), an index range read instead of a scan of the story.
CREATE INDEX story_articles_day ON story_articles(story_id, day);
