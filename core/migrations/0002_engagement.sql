CREATE TABLE "engagement_edges" (
	"user_id" integer NOT NULL,
	"kind" text NOT NULL,
	"target_type" text NOT NULL,
	"target_id" integer NOT NULL,
	"present" boolean NOT NULL,
	"hlc_wall_ms" bigint NOT NULL,
	"hlc_counter" integer NOT NULL,
	"hlc_node" text NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "engagement_edges_user_id_kind_target_type_target_id_pk" PRIMARY KEY("user_id","kind","target_type","target_id"),
	CONSTRAINT "engagement_edges_kind_target_check" CHECK (("engagement_edges"."kind" in ('like', 'favourite') and "engagement_edges"."target_type" in ('episode', 'series'))
        or ("engagement_edges"."kind" = 'follow_up' and "engagement_edges"."target_type" = 'series')
        or ("engagement_edges"."kind" = 'follow' and "engagement_edges"."target_type" = 'user' and "engagement_edges"."target_id" <> "engagement_edges"."user_id"))
);
--> statement-breakpoint
CREATE TABLE "user_counters" (
	"user_id" integer PRIMARY KEY NOT NULL,
	"followers" bigint DEFAULT 0 NOT NULL,
	"following" bigint DEFAULT 0 NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "user_counters_nonnegative" CHECK ("user_counters"."followers" >= 0 and "user_counters"."following" >= 0)
);
--> statement-breakpoint
ALTER TABLE "episode_counters" ADD COLUMN "favourites" bigint DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "series_counters" ADD COLUMN "favourites" bigint DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "series_counters" ADD COLUMN "follow_ups" bigint DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "engagement_edges" ADD CONSTRAINT "engagement_edges_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "user_counters" ADD CONSTRAINT "user_counters_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "engagement_edges_list_idx" ON "engagement_edges" USING btree ("user_id","kind","target_type","hlc_wall_ms","hlc_counter");--> statement-breakpoint
CREATE INDEX "engagement_edges_target_idx" ON "engagement_edges" USING btree ("target_type","target_id","kind");--> statement-breakpoint
ALTER TABLE "episode_counters" ADD CONSTRAINT "episode_counters_engagement_nonnegative" CHECK ("episode_counters"."likes" >= 0 and "episode_counters"."favourites" >= 0);--> statement-breakpoint
ALTER TABLE "series_counters" ADD CONSTRAINT "series_counters_engagement_nonnegative" CHECK ("series_counters"."likes" >= 0 and "series_counters"."favourites" >= 0 and "series_counters"."follow_ups" >= 0);