package files

import (
	"context"

	"github.com/recordroom/recordroom/db"
)

// Delete removes a file: its row first, then its object. In that order a failure between the
// two leaves an object without a row, invisible to clients and removed by the sweep; the other
// order could leave a row whose download fails. Both steps run under the path's lock, so an
// upload of the same path cannot slip its object in between and lose it.
func (s *Service) Delete(ctx context.Context, who Requester, ref Ref) error {
	t, err := resolve(who, ref, true, false)
	if err != nil {
		return err
	}
	return s.db.FileLocked(ctx, t.room, t.scopeKey, t.path, func(st db.Store) error {
		if err := st.FileDelete(ctx, t.room, t.scopeKey, t.path); err != nil {
			return dbFailed("delete file", err)
		}
		s.removeObject(ctx, t.key)
		return nil
	})
}
