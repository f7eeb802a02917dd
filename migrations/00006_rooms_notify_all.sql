-- A room's row is notified when it is made or deleted too, not only when its schema or settings
-- change: replicas keep each room's schema in memory and forget it on any notification of its
-- row (docs/notify.md), so a room deleted and made again with plain SQL is not served with the
-- schema it had before.

-- +goose Up
-- +goose StatementBegin
CREATE OR REPLACE FUNCTION recordroom_rooms_changed() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        PERFORM recordroom_publish('rooms', 'delete', ARRAY(
            SELECT json_build_object('room', room_id)::text FROM old_rows));
    ELSE
        PERFORM recordroom_publish('rooms', lower(TG_OP), ARRAY(
            SELECT json_build_object('room', room_id)::text FROM new_rows));
    END IF;
    RETURN NULL;
END
$$;
-- +goose StatementEnd

CREATE TRIGGER rooms_notify_insert AFTER INSERT ON rooms REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION recordroom_rooms_changed();
CREATE TRIGGER rooms_notify_delete AFTER DELETE ON rooms REFERENCING OLD TABLE AS old_rows
    FOR EACH STATEMENT EXECUTE FUNCTION recordroom_rooms_changed();

-- +goose Down
DROP TRIGGER rooms_notify_insert ON rooms;
DROP TRIGGER rooms_notify_delete ON rooms;
-- +goose StatementBegin
CREATE OR REPLACE FUNCTION recordroom_rooms_changed() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    PERFORM recordroom_publish('rooms', 'update', ARRAY(
        SELECT json_build_object('room', room_id)::text FROM new_rows));
    RETURN NULL;
END
$$;
-- +goose StatementEnd
