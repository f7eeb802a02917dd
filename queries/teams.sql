-- name: TeamList :many
SELECT room_id, id, name, created_by, created_at, updated_at
FROM teams
WHERE room_id = @room_id
ORDER BY created_at, id;
