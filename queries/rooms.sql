-- name: RoomEnsure :exec
-- A room exists from the first time anyone accesses it.
INSERT INTO rooms (room_id) VALUES (@room_id) ON CONFLICT (room_id) DO NOTHING;

-- name: RoomGet :one
SELECT room_id, default_role, allow_anonymous, schema, created_at, updated_at
FROM rooms
WHERE room_id = @room_id;
