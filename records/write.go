package records

import (
	"context"
	"encoding/json"
	"errors"

	"github.com/recordroom/recordroom/access"
	"github.com/recordroom/recordroom/db"
	"github.com/recordroom/recordroom/errcode"
	"github.com/recordroom/recordroom/schema"
)

// Create adds a record; id "" gets a UUIDv7. Conflict when the id exists.
func (s *Service) Create(ctx context.Context, caller access.Caller, room, collection, id string, data json.RawMessage) (Record, error) {
	c, err := s.collection(ctx, room, collection)
	if err != nil {
		return Record{}, err
	}
	if err := mayCreate(caller, c); err != nil {
		return Record{}, err
	}
	if id, err = checkID(id); err != nil {
		return Record{}, err
	}
	fields, err := decodeData(data)
	if err != nil {
		return Record{}, err
	}
	if err := validate(c, fields); err != nil {
		return Record{}, err
	}
	r, err := s.db.RecordInsert(ctx, db.Record{Room: room, Collection: collection, ID: id, UserID: caller.UserID, Data: data})
	if err != nil {
		return Record{}, recordErr(err, collection, id)
	}
	return FromDB(r), nil
}

// Put is an upsert. A missing record is created with that id (the create rules apply); an
// existing one gets data's top-level fields merged into its data, or replaced whole with replace.
// With ifVersion the write happens only if the stored version equals it; ifVersion 0 means "only
// if the record does not exist yet".
func (s *Service) Put(ctx context.Context, caller access.Caller, room, collection, id string, data json.RawMessage, replace bool, ifVersion *int64) (Record, error) {
	c, err := s.collection(ctx, room, collection)
	if err != nil {
		return Record{}, err
	}
	if !caller.Role.AtLeast(access.Member) {
		return Record{}, errcode.New(errcode.Forbidden, "viewers cannot modify records")
	}
	if err := checkGivenID(id); err != nil {
		return Record{}, err
	}
	patch, err := decodeData(data)
	if err != nil {
		return Record{}, err
	}
	var out db.Record
	err = s.db.InTx(ctx, func(tx db.Store) error {
		current, err := tx.RecordGetForUpdate(ctx, room, collection, id)
		if errors.Is(err, db.ErrNotFound) {
			if ifVersion != nil && *ifVersion != 0 {
				return errcode.New(errcode.Conflict, "record %q does not exist (ifVersion %d)", errcode.Clip(id), *ifVersion)
			}
			if err := mayCreate(caller, c); err != nil {
				return err
			}
			if err := validate(c, patch); err != nil {
				return err
			}
			out, err = tx.RecordInsert(ctx, db.Record{Room: room, Collection: collection, ID: id, UserID: caller.UserID, Data: data})
			return err
		}
		if err != nil {
			return err
		}
		if err := mayChange(caller, c, current, ifVersion); err != nil {
			return err
		}
		merged := patch
		if !replace {
			if merged, err = decodeObject(current.Data); err != nil {
				return err
			}
			for k, v := range patch {
				merged[k] = v
			}
		}
		if err := validate(c, merged); err != nil {
			return err
		}
		stored, err := json.Marshal(merged)
		if err != nil {
			return err
		}
		out, err = tx.RecordUpdate(ctx, room, collection, id, stored)
		return err
	})
	if err != nil {
		return Record{}, recordErr(err, collection, id)
	}
	return FromDB(out), nil
}

// Remove deletes a record and returns it as it was; not_found when it does not exist.
func (s *Service) Remove(ctx context.Context, caller access.Caller, room, collection, id string, ifVersion *int64) (Record, error) {
	c, err := s.collection(ctx, room, collection)
	if err != nil {
		return Record{}, err
	}
	if !caller.Role.AtLeast(access.Member) {
		return Record{}, errcode.New(errcode.Forbidden, "viewers cannot modify records")
	}
	if err := checkGivenID(id); err != nil {
		return Record{}, err
	}
	var removed db.Record
	err = s.db.InTx(ctx, func(tx db.Store) error {
		current, err := tx.RecordGetForUpdate(ctx, room, collection, id)
		if err != nil {
			return err
		}
		if err := mayChange(caller, c, current, ifVersion); err != nil {
			return err
		}
		removed = current
		return tx.RecordDelete(ctx, room, collection, id)
	})
	if err != nil {
		return Record{}, recordErr(err, collection, id)
	}
	return FromDB(removed), nil
}

func mayCreate(caller access.Caller, c *schema.Collection) error {
	if !access.Allowed(caller, c.Write, access.Create, "") {
		return forbiddenWrite(c)
	}
	return nil
}

// mayChange checks an update or removal of an existing record: the write rule for its creator,
// and ifVersion.
func mayChange(caller access.Caller, c *schema.Collection, current db.Record, ifVersion *int64) error {
	if !access.Allowed(caller, c.Write, access.Update, current.UserID) {
		return forbiddenWrite(c)
	}
	if ifVersion != nil && *ifVersion != current.Version {
		return errcode.New(errcode.Conflict, "record %q is at version %d, not %d", errcode.Clip(current.ID), current.Version, *ifVersion)
	}
	return nil
}

func forbiddenWrite(c *schema.Collection) error {
	if c.Write == access.LevelOwner {
		return errcode.New(errcode.Forbidden, "only a record's creator may change it in %q", c.Name)
	}
	return errcode.New(errcode.Forbidden, "writing %q needs role %s", c.Name, c.Write)
}

func validate(c *schema.Collection, data map[string]any) error {
	fieldErrs := c.Validate(data)
	if len(fieldErrs) == 0 {
		return nil
	}
	e := &errcode.Error{Code: errcode.Invalid, Message: "data does not match the schema of " + c.Name}
	for _, fe := range fieldErrs {
		e.Details = append(e.Details, errcode.Detail{Path: fe.Path, Message: fe.Message})
	}
	return e
}
