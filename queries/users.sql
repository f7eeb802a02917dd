-- name: UserGet :one
SELECT room_id, user_id, role, email, name, first_seen_at, last_seen_at
FROM users
WHERE room_id = @room_id AND user_id = @user_id;

-- name: UserInsert :one
-- ON CONFLICT: the same user arriving twice at once gets the row the first one made.
INSERT INTO users (room_id, user_id, role, email, name)
VALUES (@room_id, @user_id, @role, @email, @name)
ON CONFLICT (room_id, user_id) DO UPDATE SET last_seen_at = users.last_seen_at
RETURNING room_id, user_id, role, email, name, first_seen_at, last_seen_at;

-- name: UserSeen :one
-- Keeps last_seen_at fresh and the profile claims current.
UPDATE users
SET last_seen_at = now(), email = @email, name = @name
WHERE room_id = @room_id AND user_id = @user_id
RETURNING room_id, user_id, role, email, name, first_seen_at, last_seen_at;

-- name: UserList :many
SELECT room_id, user_id, role, email, name, first_seen_at, last_seen_at
FROM users
WHERE room_id = @room_id
ORDER BY first_seen_at, user_id;

-- name: UserSetRole :one
UPDATE users
SET role = @role
WHERE room_id = @room_id AND user_id = @user_id
RETURNING room_id, user_id, role, email, name, first_seen_at, last_seen_at;

-- name: UserCountAdmins :one
SELECT count(*) FROM users WHERE room_id = @room_id AND role = 'admin';

-- name: UserDelete :execrows
DELETE FROM users WHERE room_id = @room_id AND user_id = @user_id;
