package bench

import (
	"bufio"
	"context"
	"fmt"
	"math"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// memory is what a server process says of its memory on /metrics (Prometheus text format).
type memory struct {
	rss        float64 // process_resident_memory_bytes: what the operating system charges
	heap       float64 // go_memstats_heap_inuse_bytes
	stacks     float64 // go_memstats_stack_inuse_bytes
	goroutines float64 // go_goroutines
}

// growthPer is how much m grew from before, shared out over n sockets.
func (m memory) growthPer(before memory, n int) memory {
	f := float64(n)
	return memory{
		rss:        (m.rss - before.rss) / f,
		heap:       (m.heap - before.heap) / f,
		stacks:     (m.stacks - before.stacks) / f,
		goroutines: (m.goroutines - before.goroutines) / f,
	}
}

// scrape reads base's /metrics: every series without labels, by name.
func scrape(ctx context.Context, base string) (map[string]float64, error) {
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, strings.TrimSuffix(base, "/")+"/metrics", nil)
	if err != nil {
		return nil, err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return nil, fmt.Errorf("read metrics: %w", err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("read metrics: HTTP %s", resp.Status)
	}
	series := map[string]float64{}
	sc := bufio.NewScanner(resp.Body)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	for sc.Scan() {
		name, value, ok := strings.Cut(sc.Text(), " ")
		if !ok || strings.HasPrefix(name, "#") {
			continue
		}
		if v, err := strconv.ParseFloat(value, 64); err == nil {
			series[name] = v
		}
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("read metrics: %w", err)
	}
	return series, nil
}

// listenerConnected reports whether the replica's change listener is connected.
func listenerConnected(ctx context.Context, base string) (bool, error) {
	series, err := scrape(ctx, base)
	return series["recordroom_listener_connected"] == 1, err
}

// readMemory reads a server's memory from its /metrics.
func readMemory(ctx context.Context, base string) (memory, error) {
	series, err := scrape(ctx, base)
	if err != nil {
		return memory{}, err
	}
	m := memory{
		rss:        series["process_resident_memory_bytes"],
		heap:       series["go_memstats_heap_inuse_bytes"],
		stacks:     series["go_memstats_stack_inuse_bytes"],
		goroutines: series["go_goroutines"],
	}
	if m.rss == 0 || m.heap == 0 {
		return memory{}, fmt.Errorf("%s/metrics has no process_resident_memory_bytes or go_memstats series", base)
	}
	return m, nil
}

// settledMemory reads the server's memory until its resident size holds still (within 0.5% for
// a second), or for at most 15 s: the sockets just opened have finished setting up, and the
// figure no longer depends on when it was read.
func settledMemory(ctx context.Context, base string) (memory, error) {
	prev, err := readMemory(ctx, base)
	if err != nil {
		return memory{}, err
	}
	deadline := time.Now().Add(15 * time.Second)
	for time.Now().Before(deadline) {
		select {
		case <-ctx.Done():
			return memory{}, ctx.Err()
		case <-time.After(time.Second):
		}
		cur, err := readMemory(ctx, base)
		if err != nil {
			return memory{}, err
		}
		if math.Abs(cur.rss-prev.rss) <= 0.005*prev.rss {
			return cur, nil
		}
		prev = cur
	}
	return prev, nil
}
