package client

import (
	"errors"
	"fmt"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestErrorsMatchByCode(t *testing.T) {
	t.Parallel()
	e := &Error{Code: CodeConflict, Message: "id t1 exists", HTTPStatus: 409}
	wrapped := fmt.Errorf("outer: %w", &MutationError{Op: "create", Collection: "tasks", ID: "t1", Err: e})
	require.ErrorIs(t, wrapped, ErrConflict)
	require.NotErrorIs(t, wrapped, ErrNotFound)
	require.True(t, IsCode(wrapped, CodeConflict))
	require.False(t, IsCode(errors.New("conflict"), CodeConflict))
	require.False(t, errors.Is(e, &Error{Code: CodeConflict, Message: "another"}), "only sentinels match by code")
	var me *MutationError
	require.ErrorAs(t, wrapped, &me)
	require.Equal(t, "create tasks/t1: conflict: id t1 exists", me.Error())
	var got *Error
	require.ErrorAs(t, wrapped, &got)
	require.Equal(t, 409, got.HTTPStatus)
}
