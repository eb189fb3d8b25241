-- Decision 0021: a workaround carries a copy of its problem's visibility,
-- hiding and author (problem_visibility, problem_hidden_at,
-- problem_author_id), so a list checks a workaround's visibility on its own
-- row. These triggers keep the copy in step inside the writing transaction,
-- whichever command, import or seed writes.

-- A post written with (or moved to) a problem takes the problem's values.
CREATE OR REPLACE FUNCTION posts_copy_problem_fields() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF NEW.problem_id IS NULL THEN
    NEW.problem_visibility := NULL;
    NEW.problem_hidden_at := NULL;
    NEW.problem_author_id := NULL;
  ELSE
    SELECT p.visibility, p.hidden_at, p.author_id
      INTO NEW.problem_visibility, NEW.problem_hidden_at, NEW.problem_author_id
      FROM posts p WHERE p.id = NEW.problem_id;
  END IF;
  RETURN NEW;
END
$$;
--> statement-breakpoint
CREATE TRIGGER posts_problem_copy_on_write
  BEFORE INSERT OR UPDATE OF problem_id ON posts
  FOR EACH ROW EXECUTE FUNCTION posts_copy_problem_fields();
--> statement-breakpoint
-- A problem whose visibility, hiding or author changes passes it on to its workarounds.
CREATE OR REPLACE FUNCTION posts_pass_problem_fields() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  UPDATE posts
     SET problem_visibility = NEW.visibility, problem_hidden_at = NEW.hidden_at, problem_author_id = NEW.author_id
   WHERE problem_id = NEW.id;
  RETURN NULL;
END
$$;
--> statement-breakpoint
CREATE TRIGGER posts_problem_copy_on_change
  AFTER UPDATE OF visibility, hidden_at, author_id ON posts
  FOR EACH ROW
  WHEN (OLD.visibility IS DISTINCT FROM NEW.visibility OR OLD.hidden_at IS DISTINCT FROM NEW.hidden_at OR OLD.author_id IS DISTINCT FROM NEW.author_id)
  EXECUTE FUNCTION posts_pass_problem_fields();
--> statement-breakpoint
-- Existing workarounds.
UPDATE posts w
   SET problem_visibility = p.visibility, problem_hidden_at = p.hidden_at, problem_author_id = p.author_id
  FROM posts p
 WHERE w.problem_id = p.id;
