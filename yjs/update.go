package yjs

// ID names one clock unit of content: the client that made it and its
// clock (the count of units that client made before).
type ID struct {
	Client uint64
	Clock  uint64
}

// StructKind tells the three kinds of structs apart.
type StructKind uint8

const (
	// StructGC is garbage-collected content: only its length is kept.
	StructGC StructKind = iota
	// StructItem is an item: content with its position (origins) and parent.
	StructItem
	// StructSkip is a gap that a merged update does not cover.
	StructSkip
)

// ParentKind tells where an item's parent is written.
type ParentKind uint8

const (
	// ParentFromOrigin means the parent is not encoded: the item has an
	// origin or right origin, and shares the parent of that neighbour.
	ParentFromOrigin ParentKind = iota
	// ParentRoot means the parent is the root type named ParentName.
	ParentRoot
	// ParentItem means the parent is the type created by item ParentID.
	ParentItem
)

// ContentKind is the kind of an item's content; the values are yjs's own.
type ContentKind uint8

// The ten content kinds of yjs (GC and Skip are structs, not content).
const (
	ContentDeleted ContentKind = 1 // deleted content: only its length
	ContentJSON    ContentKind = 2 // JSON values (legacy arrays)
	ContentBinary  ContentKind = 3 // a Uint8Array
	ContentString  ContentKind = 4 // text
	ContentEmbed   ContentKind = 5 // a rich-text embed (JSON)
	ContentFormat  ContentKind = 6 // a rich-text formatting mark (key, JSON value)
	ContentType    ContentKind = 7 // a shared type (Y.Map, Y.Text, ...)
	ContentAny     ContentKind = 8 // lib0 "any" values
	ContentDoc     ContentKind = 9 // a subdocument
)

// TypeRef is the kind of shared type that a ContentType item creates.
type TypeRef uint8

// yjs's type references.
const (
	TypeArray       TypeRef = 0
	TypeMap         TypeRef = 1
	TypeText        TypeRef = 2
	TypeXMLElement  TypeRef = 3
	TypeXMLFragment TypeRef = 4
	TypeXMLHook     TypeRef = 5
	TypeXMLText     TypeRef = 6
)

// Content is an item's content, validated but kept in encoded form, so that
// re-encoding writes back the bytes the client sent.
type Content struct {
	Kind ContentKind
	// Data holds, by Kind: String: the UTF-8 text; Binary: the bytes;
	// Embed: the JSON text; Format: the JSON text of the value; Any: the
	// lib0 encodings of the values, one after the other; JSON: the
	// varString encodings of the JSON texts (or "undefined"), one after the
	// other; Doc: the lib0 "any" encoding of the subdocument options;
	// Deleted and Type: nothing.
	Data []byte
	// Key holds the Format key, the XML element's node name, the XML hook's
	// name or the subdocument's guid.
	Key string
	// TypeRef is the shared type of a Type content.
	TypeRef TypeRef
}

// Struct is one struct of an update: an Item, a GC or a Skip.
type Struct struct {
	Kind StructKind
	ID   ID
	// Length counts clock units: UTF-16 code units for strings, values for
	// Any and JSON, 1 for other content, the span for GC, Skip and Deleted.
	Length uint64

	// The fields below are set for items only.
	Origin         ID // left neighbour when the item was made
	HasOrigin      bool
	RightOrigin    ID // right neighbour when the item was made
	HasRightOrigin bool
	Parent         ParentKind
	ParentName     string // for ParentRoot
	ParentID       ID     // for ParentItem
	ParentSub      string // the map key, for items in a map
	HasParentSub   bool
	Content        Content
}

// End returns the clock just after the struct.
func (s *Struct) End() uint64 { return s.ID.Clock + s.Length }

// ClientDeletes is the deleted ranges of one client.
type ClientDeletes struct {
	Client uint64
	Ranges []DeleteRange
}

// DeleteRange is Len clock units deleted from Clock on.
type DeleteRange struct {
	Clock uint64
	Len   uint64
}

// DeleteSet lists what an update deletes, per client.
type DeleteSet []ClientDeletes

// Update is a decoded V1 update. Its byte slices and strings are validated;
// the byte slices alias the decoded input.
type Update struct {
	// Structs in encoded order: client sections in descending client order,
	// each section's structs in ascending, gapless clock order.
	Structs []Struct
	// Deletes in encoded order; a client listed twice is joined into one.
	Deletes DeleteSet
}

// EmptyUpdate returns the update that changes nothing, as yjs writes it:
// no client sections and an empty delete set.
func EmptyUpdate() []byte { return []byte{0, 0} }
