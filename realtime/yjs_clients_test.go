package realtime_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/recordroom/recordroom/yjs"
)

// nodeClient starts a real yjs client (Node) on replica r as user.
func nodeClient(t *testing.T, r *wsReplica, mode, user, doc string) *yjsNode {
	t.Helper()
	n := startYjsNode(t, yjsNodeConfig{Mode: mode, URL: "http://" + r.addr, Room: room, Doc: doc,
		Token: wsToken(t, user), Name: mode + ":" + user})
	n.WaitSynced()
	return n
}

// Real yjs clients, the stock y-websocket provider on one replica and the multiplexed socket on
// the other, edit one document at once and converge; a fresh client gets everything after the
// first replica is gone.
func TestYjsRealClientsConvergeAcrossReplicas(t *testing.T) {
	t.Parallel()
	c := setup(t, 2, "bob")
	r0, r1 := c.replicas[0], c.replicas[1]
	const doc = "notes/shared"
	a := nodeClient(t, r0, "plain", "alice", doc)
	b := nodeClient(t, r1, "mux", "bob", doc)

	a.Insert(0, "Hello 😀 from plain")
	b.Insert(0, "mux says hi. ")
	a.MapSet("title", "Minutes")
	b.MapSet("count", 3)
	b.Format(0, 3, map[string]any{"bold": true})
	want := func() bool {
		text := a.Text()
		return strings.Contains(text, "Hello 😀 from plain") && strings.Contains(text, "mux says hi. ") &&
			jsonEqual(mustJSON(a.JSON()), mustJSON(b.JSON()))
	}
	a.WaitUntil("both clients converge", want)
	b.WaitUntil("both clients converge", want)
	a.WaitUntil("formatting crossed too", func() bool { return jsonEqual(mustJSON(a.Delta()), mustJSON(b.Delta())) })
	a.Delete(0, 5)
	b.WaitText(a.Text())
	final := a.JSON()

	// Awareness crosses replicas, and goes when its client does.
	a.SetAwareness(map[string]any{"user": "alice", "cursor": 3})
	b.WaitUntil("alice's cursor", func() bool { return b.Peer(a.ClientID) != nil })

	// The document survives the replica that stored half of it.
	r0.Stop()
	fresh := nodeClient(t, r1, "plain", "bob", doc)
	fresh.WaitUntil("everything", func() bool { return jsonEqual(mustJSON(fresh.JSON()), mustJSON(final)) })
	stored := r1.rest(t, http.StatusOK, "bob", http.MethodGet, "/v1/rooms/"+room+"/docs/"+doc, nil).Body
	sv, err := yjs.StateVectorFromUpdate(stored)
	require.NoError(t, err)
	require.Equal(t, fresh.StateVector(), sv, "GET /docs holds what the clients hold")
}

// A viewer's real client reads the document; its edits are refused and reach nobody.
func TestYjsRealViewerIsRefused(t *testing.T) {
	t.Parallel()
	c := setup(t, 1, "vic")
	r := c.replicas[0]
	r.setRole(t, "alice", room, "vic", "viewer")
	a := nodeClient(t, r, "mux", "alice", "board")
	a.Insert(0, "by alice")
	v := nodeClient(t, r, "plain", "vic", "board")
	v.WaitText("by alice")
	vm := nodeClient(t, r, "mux", "vic", "board")
	vm.WaitText("by alice")
	a.Insert(0, "still ") // a round trip through the server after both viewers synced
	v.WaitText("still by alice")
	vm.WaitText("still by alice")
	for _, e := range append(v.Events(), vm.Events()...) {
		require.NotEqual(t, "authDenied", e.Event, "a viewer that edits nothing is refused nothing")
		require.NotEqual(t, "error", e.Msg["type"], "a viewer that edits nothing is refused nothing")
	}
	v.Insert(0, "vandal ")
	v.WaitEvent(func(e yjsNodeEvent) bool { return e.Event == "authDenied" })
	vm.Insert(0, "again ")
	vm.WaitEvent(func(e yjsNodeEvent) bool { return e.Event == "server" && e.Msg["code"] == "forbidden" })

	fresh := nodeClient(t, r, "plain", "alice", "board")
	require.Equal(t, "still by alice", fresh.Text())
	require.Equal(t, "still by alice", a.Text())
}
