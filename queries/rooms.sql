-- name: RoomEnsure :exec
-- A room exists from the first time anyone accesses it.
INSERT INTO rooms (room_id) VALUES (@room_id) ON CONFLICT (room_id) DO NOTHING;

-- name: RoomGet :one
SELECT room_id, default_role, allow_anonymous, schema, created_at, updated_at
FROM rooms
WHERE room_id = @room_id;

-- name: RoomLock :one
-- Serialises the arrival of a room's first users, so exactly one of them becomes admin.
SELECT default_role, EXISTS (SELECT 1 FROM users u WHERE u.room_id = @room_id) AS has_users
FROM rooms r
WHERE r.room_id = @room_id
FOR UPDATE;

-- name: RoomUpdateSettings :one
UPDATE rooms
SET default_role = @default_role, allow_anonymous = @allow_anonymous, updated_at = now()
WHERE room_id = @room_id
RETURNING room_id, default_role, allow_anonymous, schema, created_at, updated_at;

-- name: RoomSetSchema :one
UPDATE rooms
SET schema = @schema, updated_at = now()
WHERE room_id = @room_id
RETURNING room_id, default_role, allow_anonymous, schema, created_at, updated_at;
