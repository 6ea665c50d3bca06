// gopl-buffered: the seed 004 design (gopl-en dialect) with the usual fix for
// its isolation bug. Each client has a buffered outgoing channel and the
// broadcaster never blocks on it: a client whose channel is full is evicted
// (connection closed, removed from the room, announced with the normal leave
// notice), so one client that stops reading cannot stall the others.
package main

import (
	"bufio"
	"flag"
	"fmt"
	"log"
	"net"
	"os"
)

// outgoingCapacity is how many lines a client may fall behind before eviction.
const outgoingCapacity = 1024

type client struct {
	who  string
	out  chan string // outgoing lines, drained by clientWriter
	conn net.Conn
}

// chatLine is a line a member sent; the broadcaster drops it when the sender
// is no longer a member, so nothing follows a member's leave notice.
type chatLine struct {
	from *client
	text string
}

var (
	entering = make(chan *client)
	leaving  = make(chan *client)
	messages = make(chan chatLine)
)

func main() {
	addr := flag.String("addr", "127.0.0.1:8888", "listen address (host:port; port 0 picks a free port)")
	flag.Parse()

	listener, err := net.Listen("tcp", *addr)
	if err != nil {
		log.Fatal(err)
	}
	// The kit reads this line to learn the port.
	fmt.Fprintf(os.Stdout, "listening on %s\n", listener.Addr().String())

	go broadcaster()

	for {
		conn, err := listener.Accept()
		if err != nil {
			fmt.Fprintf(os.Stderr, "accept: %v\n", err)
			continue
		}
		go handleConn(conn)
	}
}

// room is the member set; only the broadcaster goroutine touches it.
type room map[*client]bool

// broadcast offers msg to every member without blocking and evicts each member
// whose channel is full; every eviction is itself announced, which may evict
// more members, so the announcements run until none is left.
func (r room) broadcast(msg string) {
	pending := []string{msg}
	for len(pending) > 0 {
		line := pending[0]
		pending = pending[1:]
		var full []*client
		for cli := range r {
			select {
			case cli.out <- line:
			default:
				full = append(full, cli)
			}
		}
		for _, cli := range full {
			r.remove(cli)
			cli.conn.Close() // unblocks its writer and ends its reader
			pending = append(pending, cli.who+" has left ")
		}
	}
}

func (r room) remove(cli *client) {
	delete(r, cli)
	close(cli.out)
}

func broadcaster() {
	members := make(room)
	for {
		select {
		case line := <-messages:
			if members[line.from] {
				members.broadcast(line.text)
			}
		case cli := <-entering:
			// The joiner is added after the notice: it does not get its own.
			members.broadcast(cli.who + " has joined us")
			members[cli] = true
		case cli := <-leaving:
			// An evicted client was already removed and announced.
			if members[cli] {
				members.remove(cli)
				members.broadcast(cli.who + " has left ")
			}
		}
	}
}

func handleConn(conn net.Conn) {
	cli := &client{who: conn.RemoteAddr().String(), out: make(chan string, outgoingCapacity), conn: conn}
	go clientWriter(cli)

	cli.out <- "You are " + cli.who // the channel is empty: this never blocks
	entering <- cli

	input := bufio.NewScanner(conn)
	for input.Scan() {
		messages <- chatLine{from: cli, text: cli.who + ": " + input.Text()}
	}

	leaving <- cli
	conn.Close()
}

func clientWriter(cli *client) {
	for msg := range cli.out {
		// Errors are ignored as in the seed: after a failed write the loop
		// keeps draining, so a gone client never looks like a slow one; its
		// reader ends and announces the leave.
		fmt.Fprintln(cli.conn, msg)
	}
}
