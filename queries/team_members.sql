-- name: TeamMemberList :many
SELECT room_id, team_id, id, user_id, email, role, status, invited_by, created_at, updated_at
FROM team_members
WHERE room_id = @room_id
ORDER BY created_at, id;
