package files

import (
	"net/url"
	"strings"

	"github.com/recordroom/recordroom/access"
	"github.com/recordroom/recordroom/internal/ids"
	"github.com/recordroom/recordroom/protocol"
)

// Scope says whose files a request addresses (PROTOCOL.md §7).
type Scope string

// The scopes.
const (
	// ScopeSelf is the calling widget's files: read with role ≥ viewer, written with ≥ member.
	ScopeSelf Scope = "self"
	// ScopeUser is the caller's personal files: only that user, whatever the role. Nobody can
	// name another user's: they are not addressable.
	ScopeUser Scope = "user"
	// ScopeWidget is another widget's files (Ref.Widget): read-only, role ≥ viewer.
	ScopeWidget Scope = "widget"
)

// DefaultWidget is the widget of requests that name none.
const DefaultWidget = "default"

// Requester is who asks for files, and from where: the caller, the room and the calling widget
// (X-Widget-Id on REST; "" means DefaultWidget). Every file call takes one, since a Ref's scope
// only means something against it: self is the widget's files, user the caller's.
type Requester struct {
	Caller access.Caller
	Room   string
	Widget string
}

// Ref names a file, or for List a scope and a path prefix.
type Ref struct {
	Scope Scope
	// Widget is the other widget of ScopeWidget (?widget=); ignored for the other scopes.
	Widget string
	// Path is the file's path; for List, the prefix listed paths start with (may be empty).
	Path string
}

// target is a resolved Ref: where the file's row and object live.
type target struct {
	room, scopeKey, key string
	scope               Scope
	path                string
}

// resolve checks a request's names and the caller's access, in that order, and locates the file.
// A prefix (for List) is checked as one instead of as a path.
func resolve(who Requester, ref Ref, write, prefix bool) (target, error) {
	c, room, widget := who.Caller, who.Room, who.Widget
	if !ids.Valid(room) {
		return target{}, protocol.New(protocol.BadRequest, "room id %q must be %s", protocol.Clip(room), ids.Rule)
	}
	if widget == "" {
		widget = DefaultWidget
	}
	if !ids.Valid(widget) {
		return target{}, protocol.New(protocol.BadRequest, "widget id %q must be %s", protocol.Clip(widget), ids.Rule)
	}
	check := CheckPath
	if prefix {
		check = checkPrefix
	}
	if err := check(ref.Path); err != nil {
		return target{}, err
	}
	t := target{room: room, scope: ref.Scope, path: ref.Path}
	switch ref.Scope {
	case ScopeSelf:
		t.scopeKey = "widgets/" + widget
	case ScopeWidget:
		if !ids.Valid(ref.Widget) {
			return target{}, protocol.New(protocol.BadRequest, "scope widget needs ?widget=<id>, %s", ids.Rule)
		}
		t.scopeKey = "widgets/" + ref.Widget
	case ScopeUser:
		t.scopeKey = "users/" + c.UserID
	default:
		return target{}, protocol.New(protocol.BadRequest, "unknown file scope %q: want self, user or widget", protocol.Clip(string(ref.Scope)))
	}
	if err := allowed(c, ref.Scope, write); err != nil {
		return target{}, err
	}
	t.key = objectKey(room, t.scopeKey, ref.Path)
	return t, nil
}

// allowed applies PROTOCOL.md §7's rules.
func allowed(c access.Caller, scope Scope, write bool) error {
	if !c.Role.AtLeast(access.Viewer) {
		return protocol.New(protocol.Forbidden, "no access to this room's files")
	}
	switch {
	case scope == ScopeUser && c.UserID == "":
		return protocol.New(protocol.Forbidden, "anonymous callers have no personal files")
	case scope == ScopeUser:
		return nil // the caller's own files, whatever the role
	case write && scope == ScopeWidget:
		return protocol.New(protocol.Forbidden, "another widget's files are read-only")
	case write && !c.Role.AtLeast(access.Member):
		return protocol.New(protocol.Forbidden, "writing files needs role member or admin")
	}
	return nil
}

// objectKey is rooms/{roomId}/widgets/{widgetId}/{path} or rooms/{roomId}/users/{userId}/{path}.
// Ids are escaped as key segments: a user id (a token's sub, any string) holding '/' must not
// reach into another user's files.
func objectKey(room, scopeKey, path string) string {
	kind, id, _ := strings.Cut(scopeKey, "/")
	return "rooms/" + keySegment(room) + "/" + kind + "/" + keySegment(id) + "/" + path
}

// keySegment escapes an id for use as one key segment; "." and ".." become "%2E" and "%2E%2E"
// so that no store or proxy normalising paths can read them as folders.
func keySegment(id string) string {
	e := url.PathEscape(id)
	if e == "." || e == ".." {
		e = strings.ReplaceAll(e, ".", "%2E")
	}
	return e
}

// parseKey inverts objectKey, for the sweep.
func parseKey(key string) (room, scopeKey, path string, ok bool) {
	parts := strings.SplitN(key, "/", 5)
	if len(parts) != 5 || parts[0] != "rooms" || (parts[2] != "widgets" && parts[2] != "users") || parts[4] == "" {
		return "", "", "", false
	}
	room, err1 := url.PathUnescape(parts[1])
	id, err2 := url.PathUnescape(parts[3])
	if err1 != nil || err2 != nil {
		return "", "", "", false
	}
	return room, parts[2] + "/" + id, parts[4], true
}
