package records

import (
	"context"

	"github.com/recordroom/recordroom/access"
	"github.com/recordroom/recordroom/protocol"
)

// DocAccess says whether caller may read and write the Yjs document name (PROTOCOL.md §6). A
// field document, <collection>/<recordId>/<field>, follows its record's rules; any other name
// needs role viewer to read and member to write. Both transports ask here (the WebSocket when a
// document is opened, written or re-checked after a role change; REST for GET /docs), so a
// document's rules cannot differ between them. As on Get, a record the caller may not see at all
// is not_found (owner rule) or forbidden (role).
func (s *Service) DocAccess(ctx context.Context, caller access.Caller, room, name string) (read, write bool, err error) {
	if collection, id, ok := protocol.FieldDoc(name); ok {
		return s.recordAccess(ctx, caller, Key{Room: room, Collection: collection, ID: id})
	}
	return caller.Role.AtLeast(access.Viewer), caller.Role.AtLeast(access.Member), nil
}

// recordAccess says what caller may do with an existing record: read it, and change it.
func (s *Service) recordAccess(ctx context.Context, caller access.Caller, k Key) (read, write bool, err error) {
	c, r, err := s.readable(ctx, caller, k)
	if err != nil {
		return false, false, err
	}
	return true, access.Allowed(caller, c.Write, access.Update, r.UserID), nil
}
