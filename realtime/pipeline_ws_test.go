package realtime_test

import (
	"fmt"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/recordroom/recordroom/protocol"
)

// A burst of fire-and-forget creates from one socket, with puts to one record among them: every
// create lands and reaches the sender's own subscription before its ack, the puts keep their
// order (the record ends as the last put left it), the acks come in the order sent, and the
// burst shared transactions (records of one group commit share their createdAt).
func TestWSBurstFromOneSocketIsPipelined(t *testing.T) {
	t.Parallel()
	c := setup(t, 1)
	r := c.replicas[0]
	a := r.connect(t, "alice", room)
	a.SubscribeAndWait("all", subSpec{Collection: "tasks"})

	const creates, every = 500, 10
	var refs []string
	puts := 0
	for i := range creates {
		ref := fmt.Sprintf("c%d", i)
		a.Create(ref, "tasks", "", map[string]any{"n": i})
		refs = append(refs, ref)
		if i%every == 0 {
			puts++
			ref := fmt.Sprintf("p%d", puts)
			a.Put(ref, "tasks", "hot", map[string]any{"put": puts}, true, -1)
			refs = append(refs, ref)
		}
	}
	acks := make([]wsMsg, len(refs))
	for i, ref := range refs {
		acks[i] = a.WaitAck(ref)
	}
	a.Ping()
	msgs := a.Messages(0)
	seq, created := 0, map[string]bool{}
	var last wsMsg // the last put's ack
	putsSeen := 0
	for i, ack := range acks {
		ref := refs[i]
		require.Greater(t, ack.Seq, seq, "ack %s came after a later mutation's", ref)
		seq = ack.Seq
		require.NotNil(t, ack.Record)
		if ref[0] == 'c' {
			created[protocol.FormatTime(ack.Record.CreatedAt.Time)] = true
			at := findChange(msgs, "all", ack.Record.ID, ack.Record.Version, false)
			require.NotZero(t, at, "create %s never reached sub all", ref)
			require.Less(t, at, ack.Seq, "create %s reached sub all after its ack", ref)
		} else {
			putsSeen++
			require.EqualValues(t, putsSeen, ack.Record.Version, "put %s applied in the order sent", ref)
			last = ack
		}
	}
	require.Equal(t, "hot", last.Record.ID)
	require.EqualValues(t, puts, last.Record.Version, "every put to hot applied once")
	require.JSONEq(t, fmt.Sprintf(`{"put":%d}`, puts), string(last.Record.Data))
	require.Less(t, len(created), creates, "some creates of the burst shared a group commit")

	a.requireMatchesREST(r, "alice", room, "all")
	require.Len(t, a.State("all"), creates+1)
	a.CheckRYW()
	a.RequireNoViolations()
}
