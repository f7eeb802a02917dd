// Package protocol is the wire contract in Go (PROTOCOL.md, docs/protocol.md): the WebSocket
// messages both sides send, the error codes and their one translation from service errors, the
// close codes, the JSON shapes of records, users, teams, members and files, and the one time
// format. It imports only the standard library, so the server, the Go client, the benchmark and
// every test harness can share it; nothing else defines a wire shape.
package protocol
