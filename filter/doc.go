// Package filter is the where-language of PROTOCOL.md §3 with its three faces: a parser, a
// compiler to parameterised SQL over the records table's jsonb, and an in-memory matcher. The
// REST list and subscription snapshots run the SQL, the WebSocket fan-out runs Match on changed
// rows; the two agree exactly (a property test proves it on random records and where-objects),
// so the same where-object gives the same records on every path. Order does the same for
// orderBy: its SQL, Compare and keyset cursors agree.
//
// The semantics, in short (docs/query-language.md has them in full):
//
//   - Keys are dotted paths into data ("address.city", each segment an object key, never an
//     array index), the reserved fields id, userId, createdAt, updatedAt, or $and, $or, $not.
//   - A plain value is deep JSON equality (numbers by value, objects whatever their key order);
//     an object of $-operators means all of them; mixing operators and plain keys is an error.
//   - A missing field matches only $ne, $nin and $exists:false. JSON null is a value: it exists,
//     and {"f": null} matches only an explicit null.
//   - $gt/$gte/$lt/$lte compare numbers with numbers and strings with strings byte-wise.
//   - createdAt and updatedAt are strings in the form 2006-01-02T15:04:05.000Z (UTC,
//     milliseconds) to a where-object; an orderBy sorts them as timestamps.
//   - orderBy sorts data values by type (missing, null, numbers, strings, booleans, arrays,
//     objects), then within the type; ties break by id.
//
// Input is bounded (see the Max constants) and never panics the parser; no character of user
// input reaches the SQL text of a where-object, whose values and paths are all parameters.
package filter
