-- name: TeamList :many
SELECT room_id, id, name, created_by, created_at, updated_at
FROM teams
WHERE room_id = @room_id
ORDER BY created_at, id;

-- name: TeamGet :one
SELECT room_id, id, name, created_by, created_at, updated_at
FROM teams
WHERE room_id = @room_id AND id = @id;

-- name: TeamInsert :one
INSERT INTO teams (room_id, id, name, created_by)
VALUES (@room_id, @id, @name, @created_by)
RETURNING room_id, id, name, created_by, created_at, updated_at;

-- name: TeamRename :one
UPDATE teams
SET name = @name, updated_at = now()
WHERE room_id = @room_id AND id = @id
RETURNING room_id, id, name, created_by, created_at, updated_at;

-- name: TeamDelete :execrows
-- The team's memberships and invites go with it (ON DELETE CASCADE).
DELETE FROM teams WHERE room_id = @room_id AND id = @id;
