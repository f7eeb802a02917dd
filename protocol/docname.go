package protocol

import "strings"

// FieldDoc splits a field document's name, <collection>/<recordId>/<field>: three non-empty
// segments. Such a document belongs to its record: it follows the record's rules
// (records.Service.DocAccess) and is deleted with it (the RecordDeleteMany query matches the
// same names).
func FieldDoc(name string) (collection, id string, ok bool) {
	parts := strings.Split(name, "/")
	if len(parts) != 3 || parts[0] == "" || parts[1] == "" || parts[2] == "" {
		return "", "", false
	}
	return parts[0], parts[1], true
}
