-- Custom SQL migration file, put your code below! --
-- The search index's change log (docs/decisions/0016): every statement that
-- writes posts, their tags or their versions adds one row per post to
-- post_changes in the same transaction, whoever runs it (the app, an import,
-- plain SQL). A workaround's row also names its problem, whose document
-- carries the workaround's text. Statement-level triggers with transition
-- tables: a bulk insert of 50,000 posts is one INSERT … SELECT, not 50,000.
CREATE FUNCTION post_changes_from_posts() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO post_changes (post_id)
    SELECT id FROM changed
    UNION
    SELECT problem_id FROM changed WHERE problem_id IS NOT NULL;
  RETURN NULL;
END
$$;
--> statement-breakpoint
CREATE FUNCTION post_changes_from_children() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO post_changes (post_id) SELECT DISTINCT post_id FROM changed;
  RETURN NULL;
END
$$;
--> statement-breakpoint
CREATE TRIGGER posts_changes_insert AFTER INSERT ON posts REFERENCING NEW TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION post_changes_from_posts();
--> statement-breakpoint
CREATE TRIGGER posts_changes_update AFTER UPDATE ON posts REFERENCING NEW TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION post_changes_from_posts();
--> statement-breakpoint
CREATE TRIGGER posts_changes_delete AFTER DELETE ON posts REFERENCING OLD TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION post_changes_from_posts();
--> statement-breakpoint
CREATE TRIGGER post_tags_changes_insert AFTER INSERT ON post_tags REFERENCING NEW TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION post_changes_from_children();
--> statement-breakpoint
CREATE TRIGGER post_tags_changes_delete AFTER DELETE ON post_tags REFERENCING OLD TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION post_changes_from_children();
--> statement-breakpoint
CREATE TRIGGER post_versions_changes_insert AFTER INSERT ON post_versions REFERENCING NEW TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION post_changes_from_children();
--> statement-breakpoint
CREATE TRIGGER post_versions_changes_delete AFTER DELETE ON post_versions REFERENCING OLD TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION post_changes_from_children();
