// A Go chat server in the style of the Go book's chapter 8, with the usual
// fixes (buffered per-client channels, slow clients dropped) and names the
// server assigns: user1, user2, ... "/who" lists the members on one line.
// With -nolf it has a bug of this style: messages are written with
// fmt.Fprint instead of fmt.Fprintln, so no line ends with LF.
//
//	go run . -addr 127.0.0.1:0 [-nolf]     (prints "listening on HOST:PORT")
package main

import (
	"bufio"
	"flag"
	"fmt"
	"log"
	"net"
	"sort"
	"strings"
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

var (
	entering = make(chan *client)
	leaving  = make(chan *client)
	messages = make(chan message)
	who      = make(chan *client)
	noLF     = flag.Bool("nolf", false, "write lines without LF (the bug)")
)

func broadcaster() {
	members := make(map[*client]bool)
	drop := func(c *client) {
		if !members[c] {
			return
		}
		delete(members, c)
		close(c.out)
		c.conn.Close()
		for m := range members {
			deliver(m, c.name+" has left", members)
		}
	}
	send := func(to *client, line string) bool {
		select {
		case to.out <- line:
			return true
		default:
			return false // it does not read: drop it
		}
	}
	var slow []*client
	deliver = func(to *client, line string, _ map[*client]bool) {
		if !send(to, line) {
			slow = append(slow, to)
		}
	}
	flush := func() {
		for len(slow) > 0 {
			c := slow[0]
			slow = slow[1:]
			drop(c)
		}
	}
	for {
		select {
		case m := <-messages:
			if members[m.from] {
				for c := range members {
					deliver(c, m.from.name+": "+m.text, members)
				}
			}
		case c := <-entering:
			for m := range members {
				deliver(m, c.name+" has arrived", members)
			}
			members[c] = true
		case c := <-leaving:
			drop(c)
		case c := <-who:
			if members[c] {
				names := make([]string, 0, len(members))
				for m := range members {
					names = append(names, m.name)
				}
				sort.Strings(names)
				deliver(c, "users: "+strings.Join(names, ", "), members)
			}
		}
		flush()
	}
}

var deliver func(to *client, line string, members map[*client]bool)

func writer(c *client) {
	w := bufio.NewWriter(c.conn)
	for line := range c.out {
		if *noLF {
			fmt.Fprint(w, line)
		} else {
			fmt.Fprintln(w, line)
		}
		if len(c.out) == 0 {
			if w.Flush() != nil {
				break
			}
		}
	}
	w.Flush()
	for range c.out {
	}
}

var nextID = make(chan int)

func handle(conn net.Conn) {
	c := &client{name: fmt.Sprintf("user%d", <-nextID), out: make(chan string, 1024), conn: conn}
	go writer(c)
	c.out <- "You are " + c.name
	entering <- c
	input := bufio.NewScanner(conn)
	input.Buffer(make([]byte, 4096), 4096)
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
	go func() {
		for i := 1; ; i++ {
			nextID <- i
		}
	}()
	go broadcaster()
	for {
		conn, err := ln.Accept()
		if err != nil {
			continue
		}
		go handle(conn)
	}
}
