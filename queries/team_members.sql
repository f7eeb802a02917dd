-- name: TeamMemberList :many
SELECT room_id, team_id, id, user_id, email, role, status, invited_by, created_at, updated_at
FROM team_members
WHERE room_id = @room_id
ORDER BY created_at, id;

-- name: TeamMemberListByTeam :many
SELECT room_id, team_id, id, user_id, email, role, status, invited_by, created_at, updated_at
FROM team_members
WHERE room_id = @room_id AND team_id = @team_id
ORDER BY created_at, id;

-- name: TeamMemberGet :one
-- By id alone: member ids are UUIDs, unique across a room's teams.
SELECT room_id, team_id, id, user_id, email, role, status, invited_by, created_at, updated_at
FROM team_members
WHERE room_id = @room_id AND id = @id;

-- name: TeamMemberGetByUser :one
SELECT room_id, team_id, id, user_id, email, role, status, invited_by, created_at, updated_at
FROM team_members
WHERE room_id = @room_id AND team_id = @team_id AND user_id = @user_id;

-- name: TeamMemberInsert :one
INSERT INTO team_members (room_id, team_id, id, user_id, email, role, status, invited_by)
VALUES (@room_id, @team_id, @id, @user_id, @email, @role, @status, @invited_by)
RETURNING room_id, team_id, id, user_id, email, role, status, invited_by, created_at, updated_at;

-- name: TeamMemberDelete :execrows
DELETE FROM team_members WHERE room_id = @room_id AND team_id = @team_id AND id = @id;

-- name: TeamMemberDeleteByUser :execrows
-- A user removed from the room leaves all its teams.
DELETE FROM team_members WHERE room_id = @room_id AND user_id = @user_id;

-- name: InviteListByEmail :many
SELECT room_id, team_id, id, user_id, email, role, status, invited_by, created_at, updated_at
FROM team_members
WHERE room_id = @room_id AND email = @email AND status = 'pending'
ORDER BY created_at, id;

-- name: InviteAccept :one
UPDATE team_members
SET user_id = @user_id, status = 'active', updated_at = now()
WHERE room_id = @room_id AND id = @id AND status = 'pending'
RETURNING room_id, team_id, id, user_id, email, role, status, invited_by, created_at, updated_at;

-- name: InviteDecline :one
UPDATE team_members
SET status = 'declined', updated_at = now()
WHERE room_id = @room_id AND id = @id AND status = 'pending'
RETURNING room_id, team_id, id, user_id, email, role, status, invited_by, created_at, updated_at;

-- name: InviteAcceptAll :many
-- A newcomer's pending invites become memberships, except in teams the user is already in
-- (left pending for them to see, rather than failing their arrival on the unique index).
UPDATE team_members tm
SET user_id = @user_id, status = 'active', updated_at = now()
WHERE tm.room_id = @room_id AND tm.email = @email AND tm.status = 'pending'
  AND NOT EXISTS (SELECT 1 FROM team_members m
                  WHERE m.room_id = tm.room_id AND m.team_id = tm.team_id AND m.user_id = @user_id)
RETURNING tm.room_id, tm.team_id, tm.id, tm.user_id, tm.email, tm.role, tm.status, tm.invited_by, tm.created_at, tm.updated_at;
