-- watch_events and feed_impressions are partitioned by day (hand-edited: drizzle-kit does not
-- declare partitioning; the snapshot knows them as plain tables, which is what queries need).
CREATE TABLE "co_watch" (
	"series_id" integer NOT NULL,
	"other_id" integer NOT NULL,
	"weight" double precision DEFAULT 0 NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "co_watch_series_id_other_id_pk" PRIMARY KEY("series_id","other_id"),
	CONSTRAINT "co_watch_distinct" CHECK ("co_watch"."series_id" <> "co_watch"."other_id")
);
--> statement-breakpoint
CREATE TABLE "editorial_picks" (
	"id" serial PRIMARY KEY NOT NULL,
	"series_id" integer NOT NULL,
	"position" integer DEFAULT 0 NOT NULL,
	"starts_at" timestamp with time zone DEFAULT now() NOT NULL,
	"ends_at" timestamp with time zone,
	"created_by" integer,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "feed_impressions" (
	"served_at" timestamp with time zone NOT NULL,
	"id" text NOT NULL,
	"request_id" text NOT NULL,
	"user_id" integer,
	"position" integer NOT NULL,
	"episode_id" integer NOT NULL,
	"series_id" integer NOT NULL,
	"source" text NOT NULL,
	"score" double precision NOT NULL,
	"model_version" text,
	"explore" boolean DEFAULT false NOT NULL,
	"features" double precision[] NOT NULL,
	CONSTRAINT "feed_impressions_served_at_id_pk" PRIMARY KEY("served_at","id")
) PARTITION BY RANGE ("served_at");
--> statement-breakpoint
-- Day partitions are created ahead by the ranker (feed-ranker/src/events/partitions.ts); the
-- default partition keeps an insert for any other day from failing.
CREATE TABLE "feed_impressions_default" PARTITION OF "feed_impressions" DEFAULT;
--> statement-breakpoint
CREATE TABLE "item_features" (
	"episode_id" integer PRIMARY KEY NOT NULL,
	"series_id" integer NOT NULL,
	"impressions" integer DEFAULT 0 NOT NULL,
	"starts" integer DEFAULT 0 NOT NULL,
	"completes" integer DEFAULT 0 NOT NULL,
	"early_skips" integer DEFAULT 0 NOT NULL,
	"likes" integer DEFAULT 0 NOT NULL,
	"shares" integer DEFAULT 0 NOT NULL,
	"watch_ms" bigint DEFAULT 0 NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "ranker_models" (
	"version" text PRIMARY KEY NOT NULL,
	"status" text DEFAULT 'candidate' NOT NULL,
	"storage_key" text NOT NULL,
	"metrics" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"trained_at" timestamp with time zone DEFAULT now() NOT NULL,
	"activated_at" timestamp with time zone
);
--> statement-breakpoint
CREATE TABLE "user_features" (
	"user_id" integer PRIMARY KEY NOT NULL,
	"events" integer DEFAULT 0 NOT NULL,
	"starts" integer DEFAULT 0 NOT NULL,
	"completes" integer DEFAULT 0 NOT NULL,
	"early_skips" integer DEFAULT 0 NOT NULL,
	"likes" integer DEFAULT 0 NOT NULL,
	"shares" integer DEFAULT 0 NOT NULL,
	"watch_ms" bigint DEFAULT 0 NOT NULL,
	"completion_ewma" double precision DEFAULT 0 NOT NULL,
	"skip_ewma" double precision DEFAULT 0 NOT NULL,
	"category_affinity" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"tag_affinity" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"active_hours" integer[] DEFAULT '{}'::integer[] NOT NULL,
	"recent_series" integer[] DEFAULT '{}'::integer[] NOT NULL,
	"last_event_at" timestamp with time zone,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "watch_events" (
	"received_at" timestamp with time zone NOT NULL,
	"id" text NOT NULL,
	"user_id" integer NOT NULL,
	"episode_id" integer NOT NULL,
	"series_id" integer NOT NULL,
	"type" text NOT NULL,
	"position_ms" integer NOT NULL,
	"duration_ms" integer NOT NULL,
	"from_ms" integer,
	"rate" double precision,
	"impression" text,
	"client_at" timestamp with time zone NOT NULL,
	"source" text NOT NULL,
	CONSTRAINT "watch_events_received_at_id_pk" PRIMARY KEY("received_at","id")
) PARTITION BY RANGE ("received_at");
--> statement-breakpoint
CREATE TABLE "watch_events_default" PARTITION OF "watch_events" DEFAULT;
--> statement-breakpoint
ALTER TABLE "co_watch" ADD CONSTRAINT "co_watch_series_id_series_id_fk" FOREIGN KEY ("series_id") REFERENCES "public"."series"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "co_watch" ADD CONSTRAINT "co_watch_other_id_series_id_fk" FOREIGN KEY ("other_id") REFERENCES "public"."series"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "editorial_picks" ADD CONSTRAINT "editorial_picks_series_id_series_id_fk" FOREIGN KEY ("series_id") REFERENCES "public"."series"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "editorial_picks" ADD CONSTRAINT "editorial_picks_created_by_users_id_fk" FOREIGN KEY ("created_by") REFERENCES "public"."users"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "item_features" ADD CONSTRAINT "item_features_episode_id_episodes_id_fk" FOREIGN KEY ("episode_id") REFERENCES "public"."episodes"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "item_features" ADD CONSTRAINT "item_features_series_id_series_id_fk" FOREIGN KEY ("series_id") REFERENCES "public"."series"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "user_features" ADD CONSTRAINT "user_features_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "co_watch_top_idx" ON "co_watch" USING btree ("series_id","weight");--> statement-breakpoint
CREATE INDEX "editorial_picks_window_idx" ON "editorial_picks" USING btree ("starts_at","ends_at");--> statement-breakpoint
CREATE INDEX "feed_impressions_user_idx" ON "feed_impressions" USING btree ("user_id","served_at");--> statement-breakpoint
CREATE INDEX "item_features_series_idx" ON "item_features" USING btree ("series_id");--> statement-breakpoint
CREATE UNIQUE INDEX "ranker_models_one_active_idx" ON "ranker_models" USING btree ("status") WHERE "ranker_models"."status" = 'active';--> statement-breakpoint
CREATE INDEX "watch_events_user_idx" ON "watch_events" USING btree ("user_id","received_at");--> statement-breakpoint
CREATE INDEX "watch_events_impression_idx" ON "watch_events" USING btree ("impression");