CREATE TYPE "public"."introduction_response" AS ENUM('accepted', 'declined');--> statement-breakpoint
CREATE TYPE "public"."introduction_state" AS ENUM('proposed', 'connected', 'declined', 'expired', 'withdrawn');--> statement-breakpoint
CREATE TABLE "introduction_messages" (
	"id" text PRIMARY KEY NOT NULL,
	"introduction_id" text NOT NULL,
	"author_id" text NOT NULL,
	"body" text NOT NULL,
	"submission_key" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "introductions" (
	"id" text PRIMARY KEY NOT NULL,
	"problem_id" text NOT NULL,
	"asker_id" text NOT NULL,
	"solver_id" text NOT NULL,
	"qualifying_post_id" text,
	"proposed_by_id" text NOT NULL,
	"asker_note" text NOT NULL,
	"solver_note" text NOT NULL,
	"state" "introduction_state" DEFAULT 'proposed' NOT NULL,
	"asker_response" "introduction_response",
	"asker_responded_at" timestamp with time zone,
	"solver_response" "introduction_response",
	"solver_responded_at" timestamp with time zone,
	"expires_at" timestamp with time zone NOT NULL,
	"connected_at" timestamp with time zone,
	"closed_at" timestamp with time zone,
	"outcome_asked_at" timestamp with time zone,
	"outcome" text,
	"outcome_at" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "introduction_messages" ADD CONSTRAINT "introduction_messages_introduction_id_introductions_id_fk" FOREIGN KEY ("introduction_id") REFERENCES "public"."introductions"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "introduction_messages" ADD CONSTRAINT "introduction_messages_author_id_users_id_fk" FOREIGN KEY ("author_id") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "introductions" ADD CONSTRAINT "introductions_problem_id_posts_id_fk" FOREIGN KEY ("problem_id") REFERENCES "public"."posts"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "introductions" ADD CONSTRAINT "introductions_asker_id_users_id_fk" FOREIGN KEY ("asker_id") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "introductions" ADD CONSTRAINT "introductions_solver_id_users_id_fk" FOREIGN KEY ("solver_id") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "introductions" ADD CONSTRAINT "introductions_qualifying_post_id_posts_id_fk" FOREIGN KEY ("qualifying_post_id") REFERENCES "public"."posts"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "introductions" ADD CONSTRAINT "introductions_proposed_by_id_users_id_fk" FOREIGN KEY ("proposed_by_id") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "introduction_messages_intro_idx" ON "introduction_messages" USING btree ("introduction_id","created_at");--> statement-breakpoint
CREATE UNIQUE INDEX "introduction_messages_submission_key" ON "introduction_messages" USING btree ("author_id","submission_key");--> statement-breakpoint
CREATE INDEX "introductions_state_idx" ON "introductions" USING btree ("state","created_at");--> statement-breakpoint
CREATE INDEX "introductions_problem_idx" ON "introductions" USING btree ("problem_id");--> statement-breakpoint
CREATE INDEX "introductions_asker_idx" ON "introductions" USING btree ("asker_id");--> statement-breakpoint
CREATE INDEX "introductions_solver_idx" ON "introductions" USING btree ("solver_id");--> statement-breakpoint
CREATE UNIQUE INDEX "introductions_open_pair" ON "introductions" USING btree ("problem_id","asker_id","solver_id") WHERE "introductions"."state" in ('proposed', 'connected');