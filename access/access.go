// Package access answers one question for every transport: may this caller do this operation on
// this record of a collection with these access rules (PROTOCOL.md §2).
package access

import "fmt"

// Role is a user's role in a room: admin > member > viewer.
type Role string

// Roles, weakest first.
const (
	Viewer Role = "viewer"
	Member Role = "member"
	Admin  Role = "admin"
)

// ParseRole accepts exactly the three role names.
func ParseRole(s string) (Role, error) {
	switch r := Role(s); r {
	case Viewer, Member, Admin:
		return r, nil
	}
	return "", fmt.Errorf("unknown role %q: want viewer, member or admin", s)
}

func (r Role) rank() int {
	switch r {
	case Admin:
		return 3
	case Member:
		return 2
	case Viewer:
		return 1
	}
	return 0
}

// AtLeast reports whether r ranks at or above min.
func (r Role) AtLeast(min Role) bool { return r.rank() >= min.rank() && min.rank() > 0 }

// Level is a collection's access level for reading or writing: a minimum role, or owner.
type Level string

// Levels. Owner is not a role: it means the record's creator.
const (
	LevelViewer Level = "viewer"
	LevelMember Level = "member"
	LevelAdmin  Level = "admin"
	LevelOwner  Level = "owner"
)

// ParseReadLevel accepts viewer, member, admin or owner.
func ParseReadLevel(s string) (Level, error) {
	switch l := Level(s); l {
	case LevelViewer, LevelMember, LevelAdmin, LevelOwner:
		return l, nil
	}
	return "", fmt.Errorf("unknown read access %q: want viewer, member, admin or owner", s)
}

// ParseWriteLevel accepts member, admin or owner: a viewer can never modify.
func ParseWriteLevel(s string) (Level, error) {
	switch l := Level(s); l {
	case LevelMember, LevelAdmin, LevelOwner:
		return l, nil
	}
	return "", fmt.Errorf("unknown write access %q: want member, admin or owner", s)
}

// Op is what the caller wants to do with a record.
type Op int

// Operations. Update covers put on an existing record and remove.
const (
	Read Op = iota
	Create
	Update
)

// Caller is who asks. Anonymous callers have no UserID, are viewers, and own nothing.
type Caller struct {
	UserID string
	Role   Role
}

// Allowed answers PROTOCOL.md §2's table. level is the collection's read level for Read and its
// write level otherwise; creator is the record's creator (empty for Create).
//
// Owner means owner: for owner-level collections only the creator may read or change a record,
// whatever their role (an admin cannot read another user's owner-scoped records), and changing
// it also needs role ≥ member.
func Allowed(c Caller, level Level, op Op, creator string) bool {
	if !c.Role.AtLeast(Viewer) {
		return false
	}
	if op != Read && !c.Role.AtLeast(Member) {
		return false // viewers never modify, whatever the level
	}
	switch level {
	case LevelViewer:
		return op == Read
	case LevelMember:
		return c.Role.AtLeast(Member)
	case LevelAdmin:
		return c.Role == Admin
	case LevelOwner:
		if op == Create {
			return true // role ≥ member, checked above
		}
		return c.UserID != "" && c.UserID == creator
	}
	return false
}
