package filter

// Select is one page of a collection's records, as the REST list and a subscription's snapshot
// read it: the where-object, the owner scope of an owner-read collection, the order, the cursor
// of the previous page and the page size. Its SQL is the one place besides Where.SQL where
// statement text is built at run time, so the rule that no user string reaches the text has one
// home.
type Select struct {
	Room, Collection string
	Where            *Where // nil: every record
	Order            Order
	// OwnerScoped keeps only the records Owner created. An empty Owner (an anonymous caller, who
	// owns nothing) then selects nothing: no record has an empty creator.
	OwnerScoped bool
	Owner       string
	// After is a cursor from Order.Cursor: the page starts past it. Empty: the first page.
	After string
	// Limit bounds the rows; 0 means no bound.
	Limit int
}

// SQL compiles the select into the clauses that follow SELECT <columns> FROM records (WHERE,
// ORDER BY and LIMIT) and the values of their placeholders, numbered from $1. A cursor that
// does not decode, or that belongs to another order, is an *Error with Path "after".
func (s Select) SQL() (clauses string, args []any, err error) {
	p := Params{s.Room, s.Collection}
	cond := "room_id = $1 AND collection = $2 AND (" + s.Where.SQL(&p) + ")"
	if s.OwnerScoped {
		cond += " AND user_id = " + p.Add(s.Owner) + "::text"
	}
	if s.After != "" {
		after, err := s.Order.AfterSQL(s.After, &p)
		if err != nil {
			return "", nil, err
		}
		cond += " AND (" + after + ")"
	}
	clauses = "WHERE " + cond + " ORDER BY " + s.Order.SQL()
	if s.Limit > 0 {
		clauses += " LIMIT " + p.Add(s.Limit)
	}
	return clauses, p, nil
}
