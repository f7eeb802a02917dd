package yjs

import "strconv"

// readContent reads and checks an item's content of the given kind, and
// returns it with its length in clock units.
func readContent(d *Decoder, kind ContentKind, lim *Limits) (Content, uint64, error) {
	c := Content{Kind: kind}
	var n uint64
	var err error
	switch kind {
	case ContentDeleted:
		n, err = d.ReadVarUint()
	case ContentJSON:
		c.Data, n, err = readJSONValues(d, lim)
	case ContentBinary:
		c.Data, err = d.readVarBytes(lim.MaxStringBytes)
		n = 1
	case ContentString:
		c.Data, n, err = readText(d, lim)
	case ContentEmbed:
		c.Data, err = readJSONText(d, lim)
		n = 1
	case ContentFormat:
		if c.Key, err = readKey(d, lim); err == nil {
			c.Data, err = readJSONText(d, lim)
		}
		n = 1
	case ContentType:
		c.TypeRef, c.Key, err = readTypeRef(d, lim)
		n = 1
	case ContentAny:
		c.Data, n, err = readAnyValues(d, lim)
	case ContentDoc:
		if c.Key, err = readKey(d, lim); err == nil {
			c.Data, err = readDocOptions(d, lim)
		}
		n = 1
	default:
		return c, 0, d.fail("unknown content kind " + strconv.Itoa(int(kind)))
	}
	return c, n, err
}

// readKey reads a string that names something (a key, a node name, a guid).
func readKey(d *Decoder, lim *Limits) (string, error) {
	b, err := d.readUTF8(lim.MaxStringBytes)
	return string(b), err
}

// readText reads a ContentString and measures it in UTF-16 code units.
func readText(d *Decoder, lim *Limits) ([]byte, uint64, error) {
	start := d.pos
	b, err := d.readVarBytes(lim.MaxStringBytes)
	if err != nil {
		return nil, 0, err
	}
	n, ok := utf16Len(b)
	if !ok {
		return nil, 0, malformed("string is not UTF-8", start)
	}
	return b, n, nil
}

// readJSONText reads a varString holding one JSON text (yjs JSON.parses it).
func readJSONText(d *Decoder, lim *Limits) ([]byte, error) {
	start := d.pos
	b, err := d.readUTF8(lim.MaxStringBytes)
	if err != nil {
		return nil, err
	}
	return b, checkJSON(b, lim.MaxAnyDepth, start)
}

// readJSONValues reads a legacy ContentJSON: a count, then that many
// varStrings, each a JSON text or "undefined".
func readJSONValues(d *Decoder, lim *Limits) ([]byte, uint64, error) {
	n, err := d.readLen()
	if err != nil {
		return nil, 0, err
	}
	start := d.pos
	for range n {
		at := d.pos
		b, err := d.readUTF8(lim.MaxStringBytes)
		if err != nil {
			return nil, 0, err
		}
		if string(b) == "undefined" {
			continue
		}
		if err := checkJSON(b, lim.MaxAnyDepth, at); err != nil {
			return nil, 0, err
		}
	}
	return d.buf[start:d.pos:d.pos], uint64(n), nil
}

// readAnyValues reads a ContentAny: a count, then that many "any" values.
func readAnyValues(d *Decoder, lim *Limits) ([]byte, uint64, error) {
	n, err := d.readLen()
	if err != nil {
		return nil, 0, err
	}
	start := d.pos
	for range n {
		if err := d.skipAny(lim); err != nil {
			return nil, 0, err
		}
	}
	return d.buf[start:d.pos:d.pos], uint64(n), nil
}

// readTypeRef reads a ContentType: the type reference, and for XML
// elements and hooks their name.
func readTypeRef(d *Decoder, lim *Limits) (TypeRef, string, error) {
	start := d.pos
	ref, err := d.ReadVarUint()
	if err != nil {
		return 0, "", err
	}
	if ref > uint64(TypeXMLText) {
		return 0, "", malformed("unknown type reference", start)
	}
	if t := TypeRef(ref); t != TypeXMLElement && t != TypeXMLHook {
		return t, "", nil
	}
	name, err := readKey(d, lim)
	return TypeRef(ref), name, err
}

// readDocOptions reads a subdocument's options: one "any" value, which yjs
// spreads into the Doc constructor. Only objects are accepted: yjs throws on
// null and undefined, and writes nothing else.
func readDocOptions(d *Decoder, lim *Limits) ([]byte, error) {
	start := d.pos
	if d.pos < len(d.buf) && d.buf[d.pos] != anyObject {
		return nil, d.fail("subdocument options are not an object")
	}
	if err := d.skipAny(lim); err != nil {
		return nil, err
	}
	return d.buf[start:d.pos:d.pos], nil
}
