package bench

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"sync"
	"time"
)

// process is a server replica running as a process of its own, so that its memory is its own:
// the idle scenario measures it with no client sockets, and no other replica, in it.
type process struct {
	cmd    *exec.Cmd
	exited chan struct{} // closed once the process has exited
	err    error         // its exit status, after exited

	mu   sync.Mutex
	tail []string // the last lines it logged, to explain a failure
}

// spawn starts argv with env (a `recordroom serve` configured by its environment, listening on
// a free port) and returns once it logs the address it serves.
func spawn(ctx context.Context, argv, env []string) (*process, string, error) {
	cmd := exec.Command(argv[0], argv[1:]...)
	cmd.Env = env
	stderr, err := cmd.StderrPipe()
	if err != nil {
		return nil, "", err
	}
	if err := cmd.Start(); err != nil {
		return nil, "", fmt.Errorf("start server process: %w", err)
	}
	p := &process{cmd: cmd, exited: make(chan struct{})}
	addr := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(stderr)
		sc.Buffer(make([]byte, 64<<10), 1<<20)
		for sc.Scan() {
			p.logged(sc.Text(), addr)
		}
		// Wait only once the pipe is drained: it closes the pipe.
		p.err = cmd.Wait()
		close(p.exited)
	}()
	select {
	case a := <-addr:
		return p, a, nil
	case <-p.exited:
		return nil, "", fmt.Errorf("server process exited while starting (%v): %s", p.err, p.lastLines())
	case <-ctx.Done():
		p.stop()
		return nil, "", ctx.Err()
	case <-time.After(time.Minute):
		p.stop()
		return nil, "", fmt.Errorf("server process did not start within a minute: %s", p.lastLines())
	}
}

// logged keeps a log line and picks the served address out of the JSON log.
func (p *process) logged(line string, addr chan<- string) {
	p.mu.Lock()
	p.tail = append(p.tail, line)
	if len(p.tail) > 20 {
		p.tail = p.tail[1:]
	}
	p.mu.Unlock()
	var entry struct{ Msg, Addr string }
	if json.Unmarshal([]byte(line), &entry) == nil && entry.Msg == "serving" && entry.Addr != "" {
		select {
		case addr <- entry.Addr:
		default:
		}
	}
}

func (p *process) lastLines() string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return strings.Join(p.tail, " | ")
}

// stop asks the process to shut down gracefully, and kills it if it has not within 20 s.
func (p *process) stop() {
	_ = p.cmd.Process.Signal(os.Interrupt)
	select {
	case <-p.exited:
	case <-time.After(20 * time.Second):
		_ = p.cmd.Process.Kill()
		<-p.exited
	}
}
