-- The actor lookup (one call per request) plans its joins as index lookups, always.
--
-- Every join in auth_actor goes from one session to its user and that user's few roles and memberships: nested loops
-- over the primary keys and role_assignments_user. On small tables (a new council, the demo) the planner preferred
-- hash joins, building a hash table of every user and membership on each call; measured with pgbench on the demo
-- data, that was a fifth of the statement's time (55 µs against 45 µs a call). Hash and merge joins are switched off
-- for this function only; its query is unchanged.
ALTER FUNCTION auth_actor(bytea, date) SET enable_hashjoin = off;
ALTER FUNCTION auth_actor(bytea, date) SET enable_mergejoin = off;
