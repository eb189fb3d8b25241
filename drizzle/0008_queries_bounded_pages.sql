CREATE TABLE "similar_problems" (
	"post_id" text NOT NULL,
	"similar_id" text NOT NULL,
	"rank" integer NOT NULL,
	"score" double precision NOT NULL,
	CONSTRAINT "similar_problems_post_id_similar_id_pk" PRIMARY KEY("post_id","similar_id")
);
--> statement-breakpoint
CREATE TABLE "similar_refresh" (
	"post_id" text PRIMARY KEY NOT NULL,
	"computed_at" timestamp with time zone,
	"generation" integer DEFAULT 0 NOT NULL,
	"computed_generation" integer DEFAULT -1 NOT NULL
);
--> statement-breakpoint
DROP INDEX "posts_kind_activity_idx";--> statement-breakpoint
DROP INDEX "posts_activity_idx";--> statement-breakpoint
DROP INDEX "posts_product_idx";--> statement-breakpoint
DROP INDEX "audit_log_at_idx";--> statement-breakpoint
ALTER TABLE "posts" ADD COLUMN "problem_visibility" "visibility";--> statement-breakpoint
ALTER TABLE "posts" ADD COLUMN "problem_hidden_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "posts" ADD COLUMN "problem_author_id" text;--> statement-breakpoint
ALTER TABLE "similar_problems" ADD CONSTRAINT "similar_problems_post_id_posts_id_fk" FOREIGN KEY ("post_id") REFERENCES "public"."posts"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "similar_problems" ADD CONSTRAINT "similar_problems_similar_id_posts_id_fk" FOREIGN KEY ("similar_id") REFERENCES "public"."posts"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "similar_refresh" ADD CONSTRAINT "similar_refresh_post_id_posts_id_fk" FOREIGN KEY ("post_id") REFERENCES "public"."posts"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "similar_problems_similar_idx" ON "similar_problems" USING btree ("similar_id");--> statement-breakpoint
CREATE INDEX "similar_refresh_stale_idx" ON "similar_refresh" USING btree ("post_id") WHERE "similar_refresh"."computed_generation" < "similar_refresh"."generation";--> statement-breakpoint
CREATE INDEX "introductions_updated_idx" ON "introductions" USING btree ("updated_at","id");--> statement-breakpoint
CREATE INDEX "introductions_state_updated_idx" ON "introductions" USING btree ("state","updated_at","id");--> statement-breakpoint
CREATE INDEX "posts_listed_activity_idx" ON "posts" USING btree ("last_activity_at","id") WHERE "posts"."hidden_at" is null;--> statement-breakpoint
CREATE INDEX "posts_listed_kind_activity_idx" ON "posts" USING btree ("kind","last_activity_at","id") WHERE "posts"."hidden_at" is null;--> statement-breakpoint
CREATE INDEX "posts_listed_product_activity_idx" ON "posts" USING btree ("product_id","last_activity_at","id") WHERE "posts"."hidden_at" is null;--> statement-breakpoint
CREATE INDEX "posts_listed_product_kind_activity_idx" ON "posts" USING btree ("product_id","kind","last_activity_at","id") WHERE "posts"."hidden_at" is null;--> statement-breakpoint
CREATE INDEX "posts_listed_author_activity_idx" ON "posts" USING btree ("author_id","last_activity_at","id") WHERE "posts"."hidden_at" is null;--> statement-breakpoint
CREATE INDEX "posts_listed_state_activity_idx" ON "posts" USING btree ("state","last_activity_at","id") WHERE "posts"."kind" = 'problem' and "posts"."hidden_at" is null;--> statement-breakpoint
CREATE INDEX "posts_listed_product_state_activity_idx" ON "posts" USING btree ("product_id","state","last_activity_at","id") WHERE "posts"."kind" = 'problem' and "posts"."hidden_at" is null;--> statement-breakpoint
CREATE INDEX "posts_listed_product_kind_created_idx" ON "posts" USING btree ("product_id","kind","created_at","id") WHERE "posts"."hidden_at" is null;--> statement-breakpoint
CREATE INDEX "posts_waiting_idx" ON "posts" USING btree ("created_at","id") WHERE "posts"."kind" = 'problem' and "posts"."hidden_at" is null and "posts"."first_response_at" is null;--> statement-breakpoint
CREATE INDEX "posts_problems_created_idx" ON "posts" USING btree ("created_at") WHERE "posts"."kind" = 'problem' and "posts"."hidden_at" is null;--> statement-breakpoint
CREATE INDEX "posts_problems_first_response_idx" ON "posts" USING btree ("first_response_at") WHERE "posts"."kind" = 'problem' and "posts"."hidden_at" is null;--> statement-breakpoint
CREATE INDEX "audit_log_at_idx" ON "audit_log" USING btree ("at","id");