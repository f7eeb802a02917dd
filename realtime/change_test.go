package realtime_test

import (
	"testing"

	"github.com/recordroom/recordroom/realtime"
)

// FuzzParseChange: any payload is parsed or refused, never a panic.
func FuzzParseChange(f *testing.F) {
	f.Add(`{"table":"records","op":"insert","ts":1764237600123,"rows":[{"room":"r","collection":"c","id":"i","version":1,"creator":"u"}]}`)
	f.Add(`{"table":"team_members","op":"delete","ts":1,"rows":[{"room":"r","team":"t","id":"m","user":null}]}`)
	f.Add(`not json`)
	f.Add(`{"rows":[]}`)
	f.Add(`{"table":"x","op":"y","ts":1,"rows":[{"version":"nan"}]}`)
	f.Fuzz(func(t *testing.T, payload string) {
		c, err := realtime.ParseChange(payload)
		if err == nil && (c.Table == "" || c.Op == "" || c.TS == 0) {
			t.Fatalf("accepted an incomplete change: %+v", c)
		}
	})
}
