CREATE TABLE "post_meanings" (
	"post_id" text PRIMARY KEY NOT NULL,
	"model" text NOT NULL,
	"text_hash" text NOT NULL,
	"vector" "bytea" NOT NULL,
	"post_updated_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
ALTER TABLE "post_meanings" ADD CONSTRAINT "post_meanings_post_id_posts_id_fk" FOREIGN KEY ("post_id") REFERENCES "public"."posts"("id") ON DELETE cascade ON UPDATE no action;