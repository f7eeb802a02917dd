-- Analysts query every room with plain SQL through the views of the reporting schema
-- (docs/reporting.md). A role granted by `recordroom reporting grant ROLE` reads these views and
-- nothing else: views run with their owner's rights, so the role needs no right on the tables.

-- +goose Up
CREATE SCHEMA reporting;

CREATE VIEW reporting.records AS
SELECT room_id, collection, id, user_id, data, version, created_at, updated_at FROM records;

CREATE VIEW reporting.users AS
SELECT room_id, user_id, role, email, name, first_seen_at, last_seen_at FROM users;

CREATE VIEW reporting.teams AS
SELECT room_id, id AS team_id, name, created_by, created_at, updated_at FROM teams;

CREATE VIEW reporting.team_members AS
SELECT room_id, team_id, id AS member_id, user_id, email, role, status, invited_by, created_at, updated_at
FROM team_members;

-- scope_key is widgets/{widgetId} or users/{userId}: split into its two parts for grouping.
CREATE VIEW reporting.files AS
SELECT room_id, split_part(scope_key, '/', 1) AS scope_kind,
       substr(scope_key, strpos(scope_key, '/') + 1) AS scope_owner,
       path, size, content_type, etag, created_by, created_at, updated_at
FROM files;

-- recordroom_reporting_grant lets role read the views; GRANT takes no parameters, so the role's
-- name is quoted here (%I) rather than spliced into SQL text by the server.
-- +goose StatementBegin
CREATE FUNCTION recordroom_reporting_grant(role_name text) RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
    EXECUTE format('GRANT USAGE ON SCHEMA reporting TO %I', role_name);
    EXECUTE format('GRANT SELECT ON ALL TABLES IN SCHEMA reporting TO %I', role_name);
END
$$;
-- +goose StatementEnd
REVOKE EXECUTE ON FUNCTION recordroom_reporting_grant(text) FROM PUBLIC;

-- +goose Down
DROP FUNCTION recordroom_reporting_grant(text);
DROP SCHEMA reporting CASCADE;
