-- name: RecordGet :one
SELECT room_id, collection, id, user_id, data, version, created_at, updated_at
FROM records
WHERE room_id = @room_id AND collection = @collection AND id = @id;

-- name: RecordInsert :one
INSERT INTO records (room_id, collection, id, user_id, data)
VALUES (@room_id, @collection, @id, @user_id, @data)
RETURNING room_id, collection, id, user_id, data, version, created_at, updated_at;

-- name: RecordDelete :execrows
DELETE FROM records
WHERE room_id = @room_id AND collection = @collection AND id = @id;
