// Package yjstest reads the recorded Yjs histories of yjs/testdata for the tests of other
// packages: real updates from real yjs clients, decoded once here.
package yjstest

import (
	"encoding/base64"
	"encoding/json"
	"os"
	"path/filepath"
	"runtime"
	"testing"
)

// History is the updates of yjs/testdata/<name> (for instance "history-01.json").
func History(t testing.TB, name string) [][]byte {
	t.Helper()
	_, here, _, _ := runtime.Caller(0)
	raw, err := os.ReadFile(filepath.Join(filepath.Dir(here), "..", "..", "yjs", "testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	var h struct{ Updates []string }
	if err := json.Unmarshal(raw, &h); err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	out := make([][]byte, len(h.Updates))
	for i, u := range h.Updates {
		if out[i], err = base64.StdEncoding.DecodeString(u); err != nil {
			t.Fatalf("%s: update %d: %v", name, i, err)
		}
	}
	return out
}
