package bench

import "fmt"

// checkFileLimit makes sure this process may open the sockets a run needs: one per client, and
// as many again for replicas running in this process (the rooms scenario has a subscriber and a
// writer per room). The many-subs and idle servers are processes of their own, which Go starts
// with their soft limit raised to the hard one.
func checkFileLimit(cfg Config) error {
	need := uint64(max(cfg.Idle, cfg.Subscribers*2+cfg.Concurrency*2, cfg.Rooms*4) + 256)
	have, err := raiseFileLimit()
	if err != nil || have == 0 || have >= need {
		return nil // unknown here: the dials will say so if it is too low
	}
	return fmt.Errorf("this run needs about %d open files, the limit is %d: raise it (ulimit -n) or lower --idle / --subscribers", need, have)
}
