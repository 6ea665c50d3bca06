// A Go chat server in the style of the Go book's chapter 8 (a goroutine per
// connection, one broadcaster goroutine that owns the members, channels in
// between) with what such servers grow next: a message of the day that
// changes with each connection, a name prompt, a name the server makes unique
// with a discriminator (bob#4821; an empty answer is "guest"), and an input
// prompt "> " line whenever a client's output queue runs dry.
// "/who" lists the members after a header, "/quit" leaves.
//
// With -bug it has the bug of the book's version: each client's channel is
// unbuffered and the broadcaster sends to it blocking, so one member that
// stops reading stalls the whole room once its socket buffers are full.
//
//	go run . -addr 127.0.0.1:0 [-bug]     (prints "listening on HOST:PORT")
package main

import (
	"bufio"
	"flag"
	"fmt"
	"log"
	"math/rand"
	"net"
	"sort"
	"strings"
	"sync/atomic"
	"time"
	"unicode/utf8"
)

type client struct {
	name string
	out  chan string
	conn net.Conn
}

type message struct {
	from *client
	text string
}

type arrival struct {
	c    *client
	want string
	done chan string // the name given
}

var (
	entering = make(chan arrival)
	leaving  = make(chan *client)
	messages = make(chan message)
	who      = make(chan *client)
	online   int64
	visitors int64
	started  = time.Now()
	bug      = flag.Bool("bug", false, "unbuffered client channels, blocking sends (the book's bug)")
)

const queue = 256

func broadcaster() {
	rng := rand.New(rand.NewSource(time.Now().UnixNano()))
	members := make(map[*client]bool)
	taken := make(map[string]bool)
	var slow []*client
	deliver := func(to *client, line string) {
		if *bug {
			to.out <- line // blocks while this client's writer is stuck
			return
		}
		select {
		case to.out <- line:
		default:
			slow = append(slow, to) // it does not read: evicted below
		}
	}
	var drop func(c *client)
	drop = func(c *client) {
		if !members[c] {
			return
		}
		delete(members, c)
		delete(taken, c.name)
		atomic.AddInt64(&online, -1)
		close(c.out)
		c.conn.Close()
		for m := range members {
			deliver(m, "--- "+c.name+" left the room")
		}
	}
	for {
		select {
		case a := <-entering:
			name := ""
			for name == "" || taken[name] {
				name = fmt.Sprintf("%s#%04d", a.want, rng.Intn(10000))
			}
			a.c.name = name
			taken[name] = true
			a.done <- name
			deliver(a.c, "Welcome, "+name+"! Type /who to see who is here, /quit to leave.")
			for m := range members {
				deliver(m, "+++ "+name+" joined the room")
			}
			members[a.c] = true
			atomic.AddInt64(&online, 1)
		case m := <-messages:
			if members[m.from] {
				for c := range members {
					deliver(c, "["+m.from.name+"] "+m.text)
				}
			}
		case c := <-leaving:
			drop(c)
		case c := <-who:
			if members[c] {
				names := make([]string, 0, len(members))
				for m := range members {
					names = append(names, m.name)
				}
				sort.Strings(names)
				deliver(c, "Members online:")
				for _, n := range names {
					deliver(c, " - "+n)
				}
			}
		}
		for len(slow) > 0 {
			c := slow[0]
			slow = slow[1:]
			drop(c)
		}
	}
}

// writer copies a client's channel to its connection, with the input prompt
// line each time the channel runs dry.
func writer(c *client) {
	w := bufio.NewWriter(c.conn)
	for line := range c.out {
		fmt.Fprintln(w, line)
		if len(c.out) == 0 {
			fmt.Fprintln(w, "> ")
			w.Flush() // errors ignored, as in the book: the reader side notices
		}
	}
}

// nameOf keeps the letters, digits and underscores of an answer, at most 16.
func nameOf(answer string) string {
	var b strings.Builder
	for _, r := range answer {
		if b.Len() >= 16 {
			break
		}
		if r == '_' || r < 128 && (r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9') {
			b.WriteRune(r)
		}
	}
	if b.Len() == 0 {
		return "guest"
	}
	return b.String()
}

func handle(conn net.Conn) {
	visitor := atomic.AddInt64(&visitors, 1)
	up := time.Since(started).Round(time.Second)
	fmt.Fprintf(conn, "*** MOTD gochat 0.9, you are visitor #%d\n", visitor)
	fmt.Fprintf(conn, "*** MOTD %d online, up %s\n", atomic.LoadInt64(&online), up)
	fmt.Fprintf(conn, "*** MOTD %s\n", time.Now().UTC().Format(time.RFC1123))
	fmt.Fprint(conn, "Pick a name: ")
	input := bufio.NewScanner(conn)
	input.Buffer(make([]byte, 4096), 4096)
	if !input.Scan() {
		conn.Close()
		return
	}
	size := queue
	if *bug {
		size = 0
	}
	c := &client{out: make(chan string, size), conn: conn}
	go writer(c)
	done := make(chan string, 1)
	entering <- arrival{c, nameOf(strings.TrimSuffix(input.Text(), "\r")), done}
	<-done
	for input.Scan() {
		text := strings.TrimSuffix(input.Text(), "\r")
		if !utf8.ValidString(text) {
			continue // not text: dropped, not relayed
		}
		switch text {
		case "/who":
			who <- c
		case "/quit":
			leaving <- c
			return
		default:
			messages <- message{c, text}
		}
	}
	leaving <- c
}

func main() {
	addr := flag.String("addr", "127.0.0.1:8000", "listen address")
	flag.Parse()
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("listening on %s\n", ln.Addr())
	go broadcaster()
	for {
		conn, err := ln.Accept()
		if err != nil {
			continue
		}
		go handle(conn)
	}
}
