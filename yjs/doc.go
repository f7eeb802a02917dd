// Package yjs reads, checks and combines Yjs updates (the V1 update format
// of yjs 13) and the y-protocols messages that carry them, so the server can
// store and relay what real yjs clients send.
//
// # The format, briefly
//
// A Yjs document is a set of structs, each identified by (client, clock):
// every client numbers the units of content it creates 0, 1, 2, ... An
// update lists structs per client section (client, first clock, then
// structs back to back, each advancing the clock by its length), followed by
// a delete set (per client, ranges of clocks that are deleted). Structs are
// Items (content plus the neighbours it was inserted between and its parent
// type), GCs (content garbage-collected away, only the length is left) and
// Skips (gaps in a merged update). Content comes in ten kinds (see
// ContentKind); lengths of text are counted in UTF-16 code units, as
// JavaScript counts them. Everything is encoded with lib0: varUints,
// length-prefixed strings and lib0's "any" encoding for JSON-like values.
//
// A state vector maps each client to the next clock expected from it; a
// peer that sends its state vector gets back the diff of what it lacks.
//
// # Why not a CRDT
//
// The server never needs the document itself: it stores updates, folds them
// together (MergeUpdates), answers a peer with what it lacks (DiffUpdate,
// StateVectorFromUpdate) and relays updates. yjs offers exactly these
// operations on encoded updates without building a document (its
// src/utils/updates.js), and this package does the same. Integrating items
// into a CRDT would add a large, subtle body of code whose only use here
// would be to re-derive what clients already compute.
//
// # Design
//
//   - Byte-for-byte with yjs: MergeUpdates, DiffUpdate and
//     StateVectorFromUpdate follow yjs's algorithms step by step, including
//     its quirks, and are checked against fixtures written by real yjs
//     (testdata/gen). yjs's merge re-sorts its inputs with a comparator that
//     is inconsistent for an Item and a GC at the same ID; where that
//     happens the merge replays V8's TimSort (v8sort.go) to pick what Node
//     picks.
//   - Content is kept as the client encoded it (validated, not re-encoded),
//     except where yjs itself changes it: cutting an item (its origin, the
//     U+FFFD yjs writes for a surrogate pair cut in half) and the info byte.
//   - Streaming: the document-level functions hold one struct per input at a
//     time, so a merge needs memory for its result and little more.
//   - Hostile input: every decoder returns an error (ErrMalformed or
//     ErrTooLarge, see Limits) and never panics; time is linear in the
//     input; nothing is allocated beyond what the remaining input can back.
//     Validation is stricter than yjs where yjs would accept something no
//     yjs client writes (invalid UTF-8, zero-length structs, client sections
//     out of descending order, trailing bytes).
//
// # Differences from yjs
//
//   - Refused here, read by yjs (no yjs client writes them): invalid UTF-8
//     (yjs decodes it to U+FFFD), zero-length structs and delete ranges,
//     empty or repeated client sections and sections not in descending
//     client order (yjs's merge drops structs of such sections), info bytes
//     with unused flag bits, parent info other than 0 or 1, subdocument
//     options that are not an object, clocks beyond 2^53-1, trailing bytes.
//   - Content that another writer encoded unlike lib0 (a non-minimal
//     varUint inside an "any" value, an integer sent as a float, JSON with
//     insignificant whitespace, duplicate object keys) is kept as sent;
//     yjs decodes and re-encodes it when merging. Both decode to the same
//     values.
//   - MergeUpdates on Node matches yjs exactly; yjs in browsers other than
//     Chromium may order an Item/GC tie differently (their sorts differ).
//
// Only the V1 format is supported; y-websocket and Hocuspocus use it.
package yjs
