// gopl-bugs: a gopl-en server (seed 004's dialect) in the shared-map style
// many tutorials use instead of the book's broadcaster goroutine, with one of
// the bugs such servers really have, chosen by -bug:
//
//	race      the member map is written by every connection's goroutine
//	          without a lock: under churn Go aborts with
//	          "fatal error: concurrent map writes"
//	deadlock  a member whose read fails with a reset takes its own lock, then
//	          the room's; a broadcast takes them the other way round: two
//	          members that reset at once (or a reset during a broadcast)
//	          wedge the room for good while the process lives on
//	spin      after the first disconnect a cleanup loop polls without
//	          sleeping: one CPU stays busy while the room is empty
//	leak      a departed member's writer goroutine is never stopped, and it
//	          owns the connection: a goroutine and a file descriptor leak
//	          per connection
//	bloat     the usual "fix" for a slow reader stalling the room: each
//	          member's queue is a slice that grows without bound, so a
//	          member that stops reading makes the server keep every line
//	          sent to it
//
// Built without -race (the race detector would report, not crash).
package main

import (
	"bufio"
	"errors"
	"flag"
	"fmt"
	"log"
	"net"
	"os"
	"sync"
	"syscall"
)

type client struct {
	who  string
	conn net.Conn
	out  chan string
	mu   sync.Mutex // deadlock: guards writes to conn

	qmu   sync.Mutex // bloat: guards queue
	queue []string
	wake  chan struct{}
}

var (
	bug     string
	roomMu  sync.Mutex
	members = map[*client]bool{}
	goneMu  sync.Mutex
	gone    []string
	reaper  sync.Once
)

func main() {
	addr := flag.String("addr", "127.0.0.1:8888", "listen address (host:port; port 0 picks a free port)")
	flag.StringVar(&bug, "bug", "race", "race | deadlock | spin | leak | bloat")
	flag.Parse()
	switch bug {
	case "race", "deadlock", "spin", "leak", "bloat":
	default:
		log.Fatalf("unknown -bug %q", bug)
	}
	listener, err := net.Listen("tcp", *addr)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Fprintf(os.Stdout, "listening on %s\n", listener.Addr().String())
	for {
		conn, err := listener.Accept()
		if err != nil {
			continue
		}
		go handleConn(conn)
	}
}

func lock() {
	if bug != "race" {
		roomMu.Lock()
	}
}

func unlock() {
	if bug != "race" {
		roomMu.Unlock()
	}
}

// broadcast sends msg to every member but skip.
func broadcast(msg string, skip *client) {
	lock()
	defer unlock()
	for cli := range members {
		if cli == skip {
			continue
		}
		if bug == "deadlock" {
			cli.mu.Lock()
			fmt.Fprintln(cli.conn, msg)
			cli.mu.Unlock()
			continue
		}
		if bug == "bloat" {
			cli.enqueue(msg)
			continue
		}
		select {
		case cli.out <- msg:
		default: // full: drop (slow reader)
		}
	}
}

func handleConn(conn net.Conn) {
	cli := &client{who: conn.RemoteAddr().String(), conn: conn, out: make(chan string, 1024), wake: make(chan struct{}, 1)}
	if bug == "bloat" {
		go queueWriter(cli)
		cli.enqueue("You are " + cli.who)
	} else if bug != "deadlock" {
		go clientWriter(cli)
		cli.out <- "You are " + cli.who
	} else {
		fmt.Fprintln(conn, "You are "+cli.who)
	}
	broadcast(cli.who+" has joined us", nil)
	lock()
	members[cli] = true
	unlock()

	input := bufio.NewScanner(conn)
	for input.Scan() {
		broadcast(cli.who+": "+input.Text(), nil)
	}
	if bug == "deadlock" && errors.Is(input.Err(), syscall.ECONNRESET) {
		// The bug: own lock first, then the room's (broadcast takes the room's, then each member's).
		cli.mu.Lock()
		lock()
		delete(members, cli)
		for other := range members {
			other.mu.Lock()
			fmt.Fprintln(other.conn, cli.who+" has left ")
			other.mu.Unlock()
		}
		unlock()
		cli.mu.Unlock()
		conn.Close()
		return
	}
	lock()
	delete(members, cli)
	unlock()
	broadcast(cli.who+" has left ", nil)
	switch bug {
	case "leak":
		// The bug: out is never closed, so clientWriter never returns, and it owns conn.
		return
	case "spin":
		goneMu.Lock()
		gone = append(gone, cli.who)
		goneMu.Unlock()
		reaper.Do(func() { go reap() })
	case "bloat":
		close(cli.wake)
		return
	}
	close(cli.out)
}

// enqueue never blocks and never drops: the bug is that nothing bounds queue.
func (cli *client) enqueue(msg string) {
	cli.qmu.Lock()
	cli.queue = append(cli.queue, msg)
	cli.qmu.Unlock()
	select {
	case cli.wake <- struct{}{}:
	default:
	}
}

func queueWriter(cli *client) {
	defer cli.conn.Close()
	w := bufio.NewWriter(cli.conn)
	for range cli.wake {
		cli.qmu.Lock()
		batch := cli.queue
		cli.queue = nil
		cli.qmu.Unlock()
		for _, msg := range batch {
			if _, err := fmt.Fprintln(w, msg); err != nil {
				return
			}
		}
		if w.Flush() != nil {
			return
		}
	}
}

// reap forgets departed members; the bug: it polls without ever sleeping.
func reap() {
	for {
		goneMu.Lock()
		if len(gone) > 1000 {
			gone = gone[:0]
		}
		goneMu.Unlock()
	}
}

func clientWriter(cli *client) {
	defer cli.conn.Close()
	for msg := range cli.out {
		fmt.Fprintln(cli.conn, msg)
	}
}
