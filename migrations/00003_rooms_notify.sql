-- A room's schema and settings change what its subscribers may see: replicas re-evaluate the
-- room's subscriptions when its row is updated (docs/notify.md).

-- +goose Up
-- +goose StatementBegin
CREATE FUNCTION recordroom_rooms_changed() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    PERFORM recordroom_publish('rooms', 'update', ARRAY(
        SELECT json_build_object('room', room_id)::text FROM new_rows));
    RETURN NULL;
END
$$;
-- +goose StatementEnd

CREATE TRIGGER rooms_notify_update AFTER UPDATE ON rooms REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION recordroom_rooms_changed();

-- +goose Down
DROP TRIGGER rooms_notify_update ON rooms;
DROP FUNCTION recordroom_rooms_changed();
