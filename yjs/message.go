package yjs

import "strconv"

// MessageType is the first varUint of a y-protocols message (y-websocket's
// numbering).
type MessageType uint64

// The y-protocols message types.
const (
	MessageSync           MessageType = 0
	MessageAwareness      MessageType = 1
	MessageAuth           MessageType = 2
	MessageQueryAwareness MessageType = 3
)

// SyncKind tells the three sync messages apart.
type SyncKind uint64

// The y-protocols sync messages.
const (
	SyncStep1  SyncKind = 0 // payload: the sender's state vector
	SyncStep2  SyncKind = 1 // payload: the update the receiver lacks
	SyncUpdate SyncKind = 2 // payload: an update
)

// SyncMessage is the body of a MessageSync. Payload is not checked by
// DecodeMessage: use DecodeStateVector or ValidateUpdate on it.
type SyncMessage struct {
	Kind    SyncKind
	Payload []byte
}

// authPermissionDenied is y-protocols' only auth message.
const authPermissionDenied = 0

// Message is one decoded y-protocols message. Byte slices alias the input.
type Message struct {
	Type MessageType
	// Sync is set for MessageSync.
	Sync SyncMessage
	// Awareness is the awareness update of a MessageAwareness, not yet
	// decoded (see DecodeAwareness): servers relay it as it is.
	Awareness []byte
	// AuthDenied is the reason of a MessageAuth (permission denied).
	AuthDenied string
}

// DecodeMessage decodes one y-protocols message: a varUint type, then its
// body. Unknown types and trailing bytes are refused.
func DecodeMessage(b []byte) (Message, error) {
	d := Decoder{buf: b}
	t, err := d.ReadVarUint()
	if err != nil {
		return Message{}, err
	}
	m := Message{Type: MessageType(t)}
	switch m.Type {
	case MessageSync:
		m.Sync, err = decodeSync(&d)
	case MessageAwareness:
		m.Awareness, err = d.ReadVarUint8Array()
	case MessageAuth:
		m.AuthDenied, err = decodeAuth(&d)
	case MessageQueryAwareness:
	default:
		return Message{}, malformed("unknown message type "+strconv.FormatUint(t, 10), 0)
	}
	if err != nil {
		return Message{}, err
	}
	if d.Len() > 0 {
		return Message{}, d.fail("trailing bytes after the message")
	}
	return m, nil
}

func decodeSync(d *Decoder) (SyncMessage, error) {
	start := d.pos
	k, err := d.ReadVarUint()
	if err != nil {
		return SyncMessage{}, err
	}
	if k > uint64(SyncUpdate) {
		return SyncMessage{}, malformed("unknown sync message "+strconv.FormatUint(k, 10), start)
	}
	payload, err := d.ReadVarUint8Array()
	return SyncMessage{Kind: SyncKind(k), Payload: payload}, err
}

func decodeAuth(d *Decoder) (string, error) {
	start := d.pos
	k, err := d.ReadVarUint()
	if err != nil {
		return "", err
	}
	if k != authPermissionDenied {
		return "", malformed("unknown auth message", start)
	}
	return d.ReadVarString()
}

// Encode writes m as a y-protocols message. A Type other than the four
// known ones is written alone.
func (m Message) Encode() []byte {
	var e Encoder
	e.WriteVarUint(uint64(m.Type))
	switch m.Type {
	case MessageSync:
		e.WriteVarUint(uint64(m.Sync.Kind))
		e.WriteVarUint8Array(m.Sync.Payload)
	case MessageAwareness:
		e.WriteVarUint8Array(m.Awareness)
	case MessageAuth:
		e.WriteVarUint(authPermissionDenied)
		e.WriteVarString(m.AuthDenied)
	}
	return e.buf
}

// EncodeSyncStep1 returns the message opening a sync: our state vector.
func EncodeSyncStep1(stateVector []byte) []byte {
	return Message{Type: MessageSync, Sync: SyncMessage{Kind: SyncStep1, Payload: stateVector}}.Encode()
}

// EncodeSyncStep2 returns the answer to a SyncStep1: what the peer lacks.
func EncodeSyncStep2(update []byte) []byte {
	return Message{Type: MessageSync, Sync: SyncMessage{Kind: SyncStep2, Payload: update}}.Encode()
}

// EncodeSyncUpdate returns the message relaying one update.
func EncodeSyncUpdate(update []byte) []byte {
	return Message{Type: MessageSync, Sync: SyncMessage{Kind: SyncUpdate, Payload: update}}.Encode()
}

// EncodeAwarenessMessage returns the message carrying an awareness update
// (see EncodeAwareness for building one from entries).
func EncodeAwarenessMessage(awarenessUpdate []byte) []byte {
	return Message{Type: MessageAwareness, Awareness: awarenessUpdate}.Encode()
}

// EncodeQueryAwareness returns the message asking for all awareness states.
func EncodeQueryAwareness() []byte {
	return Message{Type: MessageQueryAwareness}.Encode()
}

// EncodeAuthDenied returns y-protocols' permission-denied auth message.
func EncodeAuthDenied(reason string) []byte {
	return Message{Type: MessageAuth, AuthDenied: reason}.Encode()
}
