DROP INDEX "audit_log_at_idx";--> statement-breakpoint
CREATE INDEX "introductions_updated_idx" ON "introductions" USING btree ("updated_at","id");--> statement-breakpoint
CREATE INDEX "introductions_state_updated_idx" ON "introductions" USING btree ("state","updated_at","id");--> statement-breakpoint
CREATE INDEX "posts_problems_first_response_idx" ON "posts" USING btree ("first_response_at") WHERE "posts"."kind" = 'problem' and "posts"."hidden_at" is null;--> statement-breakpoint
CREATE INDEX "audit_log_at_idx" ON "audit_log" USING btree ("at","id");