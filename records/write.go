package records

import (
	"context"
	"encoding/json"

	"github.com/recordroom/recordroom/access"
	"github.com/recordroom/recordroom/db"
	"github.com/recordroom/recordroom/protocol"
	"github.com/recordroom/recordroom/schema"
)

// Key names a record: its room, its collection and its id.
type Key struct{ Room, Collection, ID string }

func (k Key) db() db.RecordKey { return db.RecordKey{Room: k.Room, Collection: k.Collection, ID: k.ID} }

// Create adds a record; an empty k.ID gets a UUIDv7. Conflict when the id exists.
func (s *Service) Create(ctx context.Context, caller access.Caller, k Key, data json.RawMessage) (Record, error) {
	if err := s.mayWrite(caller, k.Room); err != nil {
		return Record{}, err
	}
	c, err := s.collection(ctx, k.Room, k.Collection)
	if err != nil {
		return Record{}, err
	}
	if err := mayCreate(caller, c); err != nil {
		return Record{}, err
	}
	if k.ID, err = checkID(k.ID); err != nil {
		return Record{}, err
	}
	if err := checkNewData(c, data); err != nil {
		return Record{}, err
	}
	r, err := s.commit(ctx, &write{kind: createWrite, caller: caller, c: c, key: k.db(), data: data})
	return FromDB(r), err
}

// checkNewData checks a create's data: against the collection's field checks, or, without any,
// its shape alone (checkData), undecoded.
func checkNewData(c *schema.Collection, data json.RawMessage) error {
	if !c.ChecksFields() {
		return checkData(data)
	}
	fields, err := decodeData(data)
	if err != nil {
		return err
	}
	return validate(c, fields)
}

// PutParams are a put's data and conditions.
type PutParams struct {
	Data json.RawMessage
	// Replace replaces the whole data of an existing record instead of merging Data's top-level
	// fields into it.
	Replace bool
	// IfVersion, when set, lets the write happen only if the stored version equals it; 0 means
	// "only if the record does not exist yet".
	IfVersion *int64
}

// Put is an upsert. A missing record is created with that id (the create rules apply); an
// existing one gets p.Data's top-level fields merged into its data, or replaced whole with
// p.Replace.
func (s *Service) Put(ctx context.Context, caller access.Caller, k Key, p PutParams) (Record, error) {
	c, err := s.changeable(ctx, caller, k)
	if err != nil {
		return Record{}, err
	}
	patch, err := decodeData(p.Data)
	if err != nil {
		return Record{}, err
	}
	r, err := s.commit(ctx, &write{kind: putWrite, caller: caller, c: c, key: k.db(),
		data: p.Data, patch: patch, replace: p.Replace, ifVersion: p.IfVersion})
	return FromDB(r), err
}

// RemoveParams are a remove's conditions.
type RemoveParams struct {
	// IfVersion, when set, lets the removal happen only if the stored version equals it.
	IfVersion *int64
}

// Remove deletes a record and returns it as it was; not_found when it does not exist.
func (s *Service) Remove(ctx context.Context, caller access.Caller, k Key, p RemoveParams) (Record, error) {
	c, err := s.changeable(ctx, caller, k)
	if err != nil {
		return Record{}, err
	}
	r, err := s.commit(ctx, &write{kind: removeWrite, caller: caller, c: c, key: k.db(), ifVersion: p.IfVersion})
	return FromDB(r), err
}

// changeable checks what a put or remove can be checked for before the stored record is read.
func (s *Service) changeable(ctx context.Context, caller access.Caller, k Key) (*schema.Collection, error) {
	if err := s.mayWrite(caller, k.Room); err != nil {
		return nil, err
	}
	c, err := s.collection(ctx, k.Room, k.Collection)
	if err != nil {
		return nil, err
	}
	if !caller.Role.AtLeast(access.Member) {
		return nil, protocol.New(protocol.Forbidden, "viewers cannot modify records")
	}
	return c, checkGivenID(k.ID)
}

// A writer must be able to read what it writes: a create or put answers with the record, and a
// blind write could change data its writer may not see. New schemas cannot say otherwise
// (schema.BlindWrites); for one stored before that rule, such writes are refused here.

func mayCreate(caller access.Caller, c *schema.Collection) error {
	if !access.Allowed(caller, c.Write, access.Create, "") {
		return forbiddenWrite(c)
	}
	if !access.Allowed(caller, c.Read, access.Read, caller.UserID) {
		return protocol.New(protocol.Forbidden, "writing %q needs what reading it needs, role %s: a writer reads what it writes", c.Name, c.Read)
	}
	return nil
}

// mayChange checks an update or removal of an existing record: the read rule, the write rule for
// its creator, and ifVersion. Another user's record under the owner rule is answered as far as
// possible as if it were not there: a removal is not_found, as for a missing id; a put is a
// conflict, as a create of that id is (ids are unique in a collection, so a write naming a taken
// id cannot hide that it is taken; docs/protocol.md).
func mayChange(caller access.Caller, c *schema.Collection, current db.Record, ifVersion *int64, kind writeKind) error {
	switch {
	case access.Allowed(caller, c.Read, access.Read, current.UserID):
	case c.Read == access.LevelOwner && kind == removeWrite:
		return recordErr(db.ErrNotFound, c.Name, current.ID)
	case c.Read == access.LevelOwner:
		return recordErr(db.ErrConflict, c.Name, current.ID)
	default:
		return protocol.New(protocol.Forbidden, "changing %q needs what reading it needs, role %s", c.Name, c.Read)
	}
	if !access.Allowed(caller, c.Write, access.Update, current.UserID) {
		return forbiddenWrite(c)
	}
	if ifVersion != nil && *ifVersion != current.Version {
		return protocol.New(protocol.Conflict, "record %q is at version %d, not %d", protocol.Clip(current.ID), current.Version, *ifVersion)
	}
	return nil
}

func forbiddenWrite(c *schema.Collection) error {
	if c.Write == access.LevelOwner {
		return protocol.New(protocol.Forbidden, "only a record's creator may change it in %q", c.Name)
	}
	return protocol.New(protocol.Forbidden, "writing %q needs role %s", c.Name, c.Write)
}

func validate(c *schema.Collection, data map[string]any) error {
	fieldErrs := c.Validate(data)
	if len(fieldErrs) == 0 {
		return nil
	}
	e := &protocol.Error{Code: protocol.Invalid, Message: "data does not match the schema of " + c.Name}
	for _, fe := range fieldErrs {
		e.Details = append(e.Details, protocol.Detail{Path: fe.Path, Message: fe.Message})
	}
	return e
}
