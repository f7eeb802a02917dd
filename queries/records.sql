-- name: RecordGet :one
SELECT room_id, collection, id, user_id, data, version, created_at, updated_at
FROM records
WHERE room_id = @room_id AND collection = @collection AND id = @id;

-- name: RecordGetForUpdate :one
-- Locks the record for the rest of a write transaction (put, remove).
SELECT room_id, collection, id, user_id, data, version, created_at, updated_at
FROM records
WHERE room_id = @room_id AND collection = @collection AND id = @id
FOR UPDATE;

-- name: RecordInsert :one
INSERT INTO records (room_id, collection, id, user_id, data)
VALUES (@room_id, @collection, @id, @user_id, @data)
RETURNING room_id, collection, id, user_id, data, version, created_at, updated_at;

-- name: RecordUpdate :one
UPDATE records
SET data = @data, version = version + 1, updated_at = now()
WHERE room_id = @room_id AND collection = @collection AND id = @id
RETURNING room_id, collection, id, user_id, data, version, created_at, updated_at;

-- name: RecordDelete :execrows
DELETE FROM records
WHERE room_id = @room_id AND collection = @collection AND id = @id;

-- name: RecordListByIDs :many
-- The current rows behind a change notification, fetched in one query per collection.
SELECT room_id, collection, id, user_id, data, version, created_at, updated_at
FROM records
WHERE room_id = @room_id AND collection = @collection AND id = ANY(@ids::text[]);
