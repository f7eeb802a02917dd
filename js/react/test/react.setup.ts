// A real server's messages update the tree at any moment, not inside act(): the tests wait for
// the DOM to show the expected state (helpers.waitFor) instead, as a user would. Telling React
// this is not an act() environment keeps it from warning about every such update.
;(globalThis as { IS_REACT_ACT_ENVIRONMENT?: boolean }).IS_REACT_ACT_ENVIRONMENT = false
