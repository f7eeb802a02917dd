package yjs

// DecodeFrame splits a multiplexed WebSocket frame (PROTOCOL.md §6): a
// varString document name, then one y-protocols message (returned undecoded,
// aliasing b; see DecodeMessage).
func DecodeFrame(b []byte) (docName string, msg []byte, err error) {
	d := Decoder{buf: b}
	name, err := d.ReadVarString()
	if err != nil {
		return "", nil, err
	}
	if d.Len() == 0 {
		return "", nil, d.fail("frame without a message")
	}
	return name, b[d.pos:], nil
}

// EncodeFrame prefixes a y-protocols message with its document name.
func EncodeFrame(docName string, msg []byte) []byte {
	var e Encoder
	e.buf = make([]byte, 0, varUintLen(uint64(len(docName)))+len(docName)+len(msg))
	e.WriteVarString(docName)
	e.WriteBytes(msg)
	return e.buf
}
