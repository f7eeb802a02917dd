package yjs

import (
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestMessages(t *testing.T) {
	t.Parallel()
	// Bytes as y-protocols writes them (writeSyncStep1 of an empty doc etc.).
	require.Equal(t, []byte{0, 0, 1, 0}, EncodeSyncStep1([]byte{0}))
	require.Equal(t, []byte{0, 1, 2, 0, 0}, EncodeSyncStep2(EmptyUpdate()))
	require.Equal(t, []byte{0, 2, 2, 0, 0}, EncodeSyncUpdate(EmptyUpdate()))
	require.Equal(t, []byte{1, 1, 0}, EncodeAwarenessMessage([]byte{0}))
	require.Equal(t, []byte{3}, EncodeQueryAwareness())
	require.Equal(t, []byte{2, 0, 2, 'n', 'o'}, EncodeAuthDenied("no"))

	for _, b := range [][]byte{
		EncodeSyncStep1([]byte{0}), EncodeSyncStep2([]byte{0, 0}), EncodeSyncUpdate([]byte{0, 0}),
		EncodeAwarenessMessage([]byte{0}), EncodeQueryAwareness(), EncodeAuthDenied("no"),
	} {
		m, err := DecodeMessage(b)
		require.NoError(t, err)
		require.Equal(t, b, m.Encode())
	}
	m, err := DecodeMessage(EncodeSyncStep2([]byte{0, 0}))
	require.NoError(t, err)
	require.Equal(t, Message{Type: MessageSync, Sync: SyncMessage{Kind: SyncStep2, Payload: []byte{0, 0}}}, m)

	for name, b := range map[string][]byte{
		"empty":            {},
		"unknown type":     {9},
		"unknown sync":     {0, 3, 0},
		"truncated":        {0, 2, 5, 0},
		"trailing":         {0, 2, 1, 0, 7},
		"unknown auth":     {2, 1, 0},
		"query with extra": {3, 0},
	} {
		_, err := DecodeMessage(b)
		require.ErrorIs(t, err, ErrMalformed, name)
	}
}

func TestFrames(t *testing.T) {
	t.Parallel()
	msg := EncodeSyncStep1([]byte{0})
	f := EncodeFrame("tasks/t1/notes", msg)
	name, got, err := DecodeFrame(f)
	require.NoError(t, err)
	require.Equal(t, "tasks/t1/notes", name)
	require.Equal(t, msg, got)

	_, _, err = DecodeFrame(EncodeFrame("doc", nil))
	require.ErrorIs(t, err, ErrMalformed, "a name alone")
	_, _, err = DecodeFrame([]byte{5, 'a'})
	require.ErrorIs(t, err, ErrMalformed)
}

func TestAwareness(t *testing.T) {
	t.Parallel()
	entries := []AwarenessEntry{
		{ClientID: 42, Clock: 3, State: json.RawMessage(`{"user":{"name":"Ann","color":"#f00"},"cursor":null}`)},
		{ClientID: 7, Clock: 9, State: json.RawMessage(`null`)},
		{ClientID: 8, Clock: 1},
	}
	b, err := EncodeAwareness(entries)
	require.NoError(t, err)
	got, err := DecodeAwareness(b)
	require.NoError(t, err)
	require.Len(t, got, 3)
	require.Equal(t, entries[0], got[0])
	require.False(t, got[0].Removed())
	require.True(t, got[1].Removed())
	require.True(t, got[2].Removed(), "an empty state is written as null")

	// As y-protocols' encodeAwarenessUpdate writes one entry.
	require.Equal(t, []byte{1, 5, 2, 4, 'n', 'u', 'l', 'l'}, mustAwareness(t, AwarenessEntry{ClientID: 5, Clock: 2}))

	_, err = EncodeAwareness([]AwarenessEntry{{ClientID: 1, State: json.RawMessage(`{`)}})
	require.Error(t, err)
	_, err = DecodeAwareness([]byte{1, 5, 2, 1, '{'})
	require.ErrorIs(t, err, ErrMalformed)
	_, err = DecodeAwareness(append(b, 0))
	require.ErrorIs(t, err, ErrMalformed, "trailing")
}

func mustAwareness(t *testing.T, e ...AwarenessEntry) []byte {
	t.Helper()
	b, err := EncodeAwareness(e)
	require.NoError(t, err)
	return b
}
