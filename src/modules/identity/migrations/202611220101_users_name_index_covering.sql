-- The user list pages by name: with display_name in the index, PostgreSQL finds a page's ids by an
-- index-only scan instead of visiting every row it skips (OFFSET). See docs/benchmarks.md.
DROP INDEX users_display_name;
CREATE INDEX users_display_name ON users (lower(display_name), id) INCLUDE (display_name);
