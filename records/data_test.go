package records

import (
	"strings"
	"testing"
)

// checkData, the shortcut for collections without field checks, accepts exactly what
// decodeData accepts.
func FuzzCheckData(f *testing.F) {
	for _, seed := range []string{
		`{}`, ` {"a":1} `, `{"a":{"b":[1,2,{"c":null}]}}`, `[]`, `null`, `1`, `"x"`, ``, `{`,
		`{} {}`, `{}}`, `{}]`, `{"a":1}x`, "\t{\"a\":\"\\u0000\"}\n", `{"a":1,"a":2}`,
		strings.Repeat(`{"a":`, 64) + `1` + strings.Repeat(`}`, 64),
		strings.Repeat(`{"a":`, 65) + `1` + strings.Repeat(`}`, 65),
		strings.Repeat(`[`, 70) + strings.Repeat(`]`, 70),
	} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, raw []byte) {
		_, decodeErr := decodeData(raw)
		checkErr := checkData(raw)
		if (decodeErr == nil) != (checkErr == nil) {
			t.Fatalf("%q: decodeData says %v, checkData says %v", raw, decodeErr, checkErr)
		}
	})
}
