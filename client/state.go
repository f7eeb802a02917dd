package client

import "time"

// State is where a client's connection stands.
type State int

// The states: Connecting until Dial's first connection, then Connected and Reconnecting in turn,
// until Closed, which is final.
const (
	StateConnecting State = iota
	StateConnected
	StateReconnecting
	StateClosed
)

// String names the state: connecting, connected, reconnecting, closed.
func (s State) String() string {
	switch s {
	case StateConnecting:
		return "connecting"
	case StateConnected:
		return "connected"
	case StateReconnecting:
		return "reconnecting"
	case StateClosed:
		return "closed"
	}
	return "unknown"
}

// StateChange is one event for Options.OnStateChange.
type StateChange struct {
	State State
	// Err says why: for Reconnecting, why the connection ended or the attempt failed (a
	// *CloseError, an *Error answered at the upgrade, a network error); for Closed, the
	// client's final error (ErrClosed after Close, ErrRemoved after 4003).
	Err error
	// Delay is, for Reconnecting, how long the client waits before its next attempt.
	Delay time.Duration
}
