-- Invites are matched by email, case-insensitively: emails are stored lowercased, and an email
-- has at most one pending invite per team (inviting it twice is a conflict, not two invites).

-- +goose Up
ALTER TABLE team_members ADD CONSTRAINT team_members_email_lower CHECK (email = lower(email));
CREATE UNIQUE INDEX team_members_pending_email_idx ON team_members (room_id, team_id, email)
    WHERE status = 'pending';
-- Finding a caller's invites, and a user's memberships when they are removed.
CREATE INDEX team_members_email_idx ON team_members (room_id, email) WHERE status = 'pending';
CREATE INDEX team_members_user_id_idx ON team_members (room_id, user_id);

-- +goose Down
DROP INDEX team_members_user_id_idx;
DROP INDEX team_members_email_idx;
DROP INDEX team_members_pending_email_idx;
ALTER TABLE team_members DROP CONSTRAINT team_members_email_lower;
