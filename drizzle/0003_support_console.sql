CREATE TYPE "public"."status_update_kind" AS ENUM('investigating', 'identified', 'fix_in_progress', 'fix_deployed', 'resolved', 'update');--> statement-breakpoint
CREATE TABLE "calendar_tokens" (
	"user_id" text PRIMARY KEY NOT NULL,
	"token_hash" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"last_used_at" timestamp with time zone
);
--> statement-breakpoint
CREATE TABLE "check_in_recipients" (
	"check_in_id" text NOT NULL,
	"user_id" text NOT NULL,
	CONSTRAINT "check_in_recipients_check_in_id_user_id_pk" PRIMARY KEY("check_in_id","user_id")
);
--> statement-breakpoint
CREATE TABLE "check_ins" (
	"id" text PRIMARY KEY NOT NULL,
	"organization_id" text NOT NULL,
	"author_id" text NOT NULL,
	"subject" text NOT NULL,
	"body" text NOT NULL,
	"submission_key" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "status_updates" (
	"id" text PRIMARY KEY NOT NULL,
	"post_id" text NOT NULL,
	"author_id" text NOT NULL,
	"status" "status_update_kind" NOT NULL,
	"body" text NOT NULL,
	"submission_key" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "posts" ADD COLUMN "import_key" text;--> statement-breakpoint
ALTER TABLE "calendar_tokens" ADD CONSTRAINT "calendar_tokens_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "check_in_recipients" ADD CONSTRAINT "check_in_recipients_check_in_id_check_ins_id_fk" FOREIGN KEY ("check_in_id") REFERENCES "public"."check_ins"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "check_in_recipients" ADD CONSTRAINT "check_in_recipients_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "check_ins" ADD CONSTRAINT "check_ins_organization_id_organizations_id_fk" FOREIGN KEY ("organization_id") REFERENCES "public"."organizations"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "check_ins" ADD CONSTRAINT "check_ins_author_id_users_id_fk" FOREIGN KEY ("author_id") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "status_updates" ADD CONSTRAINT "status_updates_post_id_posts_id_fk" FOREIGN KEY ("post_id") REFERENCES "public"."posts"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "status_updates" ADD CONSTRAINT "status_updates_author_id_users_id_fk" FOREIGN KEY ("author_id") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "calendar_tokens_hash_key" ON "calendar_tokens" USING btree ("token_hash");--> statement-breakpoint
CREATE INDEX "check_in_recipients_user_idx" ON "check_in_recipients" USING btree ("user_id");--> statement-breakpoint
CREATE INDEX "check_ins_organization_idx" ON "check_ins" USING btree ("organization_id","created_at");--> statement-breakpoint
CREATE UNIQUE INDEX "check_ins_submission_key" ON "check_ins" USING btree ("author_id","submission_key");--> statement-breakpoint
CREATE INDEX "status_updates_post_idx" ON "status_updates" USING btree ("post_id","created_at");--> statement-breakpoint
CREATE UNIQUE INDEX "status_updates_submission_key" ON "status_updates" USING btree ("author_id","submission_key");--> statement-breakpoint
CREATE UNIQUE INDEX "posts_import_key" ON "posts" USING btree ("import_key");