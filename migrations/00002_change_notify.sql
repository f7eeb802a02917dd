-- Change notification: every replica LISTENs on 'recordroom_changes' and learns of every change
-- from these statement-level triggers. One NOTIFY per statement (a NOTIFY serialises commits
-- cluster-wide, so per-row notifies would cap the write rate), split into several when the
-- payload would pass Postgres' 8000-byte limit. Payloads carry keys only; the listener fetches
-- the rows it needs. The format is documented in docs/notify.md.

-- +goose Up
-- +goose StatementBegin
-- recordroom_publish sends rows (one JSON object each) in as few NOTIFYs as fit the payload limit:
-- {"table":"records","op":"insert","ts":1764237600123,"rows":[{...},{...}]}. A chunk closes once
-- its rows pass 3000 bytes; every row is at most about 2 KB after JSON escaping (the tables'
-- length checks), so a payload stays well under 8000 bytes.
CREATE FUNCTION recordroom_publish(tbl text, op text, rows text[]) RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
    chunk text;
    -- When the statement ran, in Unix milliseconds: listeners measure notification lag by it.
    ts bigint := floor(extract(epoch FROM clock_timestamp()) * 1000);
BEGIN
    FOR chunk IN
        SELECT string_agg(r, ',' ORDER BY ord)
        FROM (SELECT r, ord,
                     (sum(octet_length(r) + 1) OVER (ORDER BY ord) - octet_length(r) - 1) / 3000 AS n
              FROM unnest(rows) WITH ORDINALITY AS u(r, ord)) numbered
        GROUP BY n
        ORDER BY n
    LOOP
        PERFORM pg_notify('recordroom_changes',
                          '{"table":"' || tbl || '","op":"' || op || '","ts":' || ts || ',"rows":[' || chunk || ']}');
    END LOOP;
END
$$;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE FUNCTION recordroom_records_changed() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        PERFORM recordroom_publish('records', 'delete', ARRAY(
            SELECT json_build_object('room', room_id, 'collection', collection, 'id', id,
                                     'version', version, 'creator', user_id)::text
            FROM old_rows));
    ELSE
        PERFORM recordroom_publish('records', lower(TG_OP), ARRAY(
            SELECT json_build_object('room', room_id, 'collection', collection, 'id', id,
                                     'version', version, 'creator', user_id)::text
            FROM new_rows));
    END IF;
    RETURN NULL;
END
$$;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE FUNCTION recordroom_users_changed() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        PERFORM recordroom_publish('users', 'delete', ARRAY(
            SELECT json_build_object('room', room_id, 'id', user_id)::text FROM old_rows));
    ELSE
        PERFORM recordroom_publish('users', lower(TG_OP), ARRAY(
            SELECT json_build_object('room', room_id, 'id', user_id)::text FROM new_rows));
    END IF;
    RETURN NULL;
END
$$;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE FUNCTION recordroom_teams_changed() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        PERFORM recordroom_publish('teams', 'delete', ARRAY(
            SELECT json_build_object('room', room_id, 'id', id, 'creator', created_by)::text
            FROM old_rows));
    ELSE
        PERFORM recordroom_publish('teams', lower(TG_OP), ARRAY(
            SELECT json_build_object('room', room_id, 'id', id, 'creator', created_by)::text
            FROM new_rows));
    END IF;
    RETURN NULL;
END
$$;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE FUNCTION recordroom_team_members_changed() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        PERFORM recordroom_publish('team_members', 'delete', ARRAY(
            SELECT json_build_object('room', room_id, 'team', team_id, 'id', id, 'user', user_id)::text
            FROM old_rows));
    ELSE
        PERFORM recordroom_publish('team_members', lower(TG_OP), ARRAY(
            SELECT json_build_object('room', room_id, 'team', team_id, 'id', id, 'user', user_id)::text
            FROM new_rows));
    END IF;
    RETURN NULL;
END
$$;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE FUNCTION recordroom_yjs_updates_changed() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        PERFORM recordroom_publish('yjs_updates', 'delete', ARRAY(
            SELECT json_build_object('room', room_id, 'name', name, 'seq', seq)::text FROM old_rows));
    ELSE
        PERFORM recordroom_publish('yjs_updates', lower(TG_OP), ARRAY(
            SELECT json_build_object('room', room_id, 'name', name, 'seq', seq)::text FROM new_rows));
    END IF;
    RETURN NULL;
END
$$;
-- +goose StatementEnd

-- Transition tables allow one event per trigger, so each table gets three. Updates only need the
-- new rows: keys never change, and the new version is the one to report.
-- +goose StatementBegin
DO $$
DECLARE
    t text;
BEGIN
    FOREACH t IN ARRAY ARRAY['records', 'users', 'teams', 'team_members', 'yjs_updates'] LOOP
        EXECUTE format('CREATE TRIGGER %I AFTER INSERT ON %I REFERENCING NEW TABLE AS new_rows '
                       'FOR EACH STATEMENT EXECUTE FUNCTION %I()', t || '_notify_insert', t, 'recordroom_' || t || '_changed');
        EXECUTE format('CREATE TRIGGER %I AFTER UPDATE ON %I REFERENCING NEW TABLE AS new_rows '
                       'FOR EACH STATEMENT EXECUTE FUNCTION %I()', t || '_notify_update', t, 'recordroom_' || t || '_changed');
        EXECUTE format('CREATE TRIGGER %I AFTER DELETE ON %I REFERENCING OLD TABLE AS old_rows '
                       'FOR EACH STATEMENT EXECUTE FUNCTION %I()', t || '_notify_delete', t, 'recordroom_' || t || '_changed');
    END LOOP;
END
$$;
-- +goose StatementEnd

-- +goose Down
-- +goose StatementBegin
DO $$
DECLARE
    t text;
BEGIN
    FOREACH t IN ARRAY ARRAY['records', 'users', 'teams', 'team_members', 'yjs_updates'] LOOP
        EXECUTE format('DROP TRIGGER %I ON %I', t || '_notify_insert', t);
        EXECUTE format('DROP TRIGGER %I ON %I', t || '_notify_update', t);
        EXECUTE format('DROP TRIGGER %I ON %I', t || '_notify_delete', t);
        EXECUTE format('DROP FUNCTION %I()', 'recordroom_' || t || '_changed');
    END LOOP;
END
$$;
-- +goose StatementEnd
DROP FUNCTION recordroom_publish(text, text, text[]);
