// gopl-unbuffered: the chat server of seed 004 (The Go Programming Language,
// chapter 8), kept as written so the kit can measure its design. Per-client
// channels are unbuffered and the one broadcaster goroutine sends on each in
// turn, so a single client that stops reading stalls the whole room (the
// isolation bug the kit exists to catch). Dialect: gopl-en, or with
// -dialect zh the same design in seed 002's words (gopl-zh).
package main

import (
	"bufio"
	"flag"
	"fmt"
	"log"
	"net"
	"os"
)

type client chan<- string // an outgoing message channel

// The words of each dialect: welcome, join and leave notices (chat is the same).
type words struct{ welcome, joined, left string }

var dialects = map[string]words{
	"en": {welcome: "You are %s", joined: "%s has joined us", left: "%s has left "}, // seed 004
	"zh": {welcome: "欢迎 %s", joined: "%s 上线", left: "%s 下线"},                        // seed 002
}

var notices = dialects["en"]

var (
	entering = make(chan client)
	leaving  = make(chan client)
	messages = make(chan string) // all incoming client messages
)

func main() {
	// The seed listens on 0.0.0.0:8888; the kit starts peers on port 0.
	addr := flag.String("addr", "127.0.0.1:8888", "listen address (host:port; port 0 picks a free port)")
	dialect := flag.String("dialect", "en", "notice words: en (gopl-en, seed 004) or zh (gopl-zh, seed 002)")
	flag.Parse()
	w, ok := dialects[*dialect]
	if !ok {
		log.Fatalf("unknown -dialect %q (en or zh)", *dialect)
	}
	notices = w

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
			fmt.Fprintf(os.Stderr, "you got something wrong %v\n", err)
			continue
		}
		go handleConn(conn)
	}
}

func broadcaster() {
	clients := make(map[client]bool) // all connected clients
	for {
		select {
		case msg := <-messages:
			// Broadcast incoming message to all clients' outgoing message
			// channels: each send waits for that client's writer.
			for cli := range clients {
				cli <- msg
			}
		case cli := <-entering:
			clients[cli] = true
		case cli := <-leaving:
			delete(clients, cli)
			close(cli)
		}
	}
}

func handleConn(conn net.Conn) {
	ch := make(chan string) // outgoing client messages
	go clientWriter(conn, ch)

	who := conn.RemoteAddr().String()
	ch <- fmt.Sprintf(notices.welcome, who)
	messages <- fmt.Sprintf(notices.joined, who)
	entering <- ch

	input := bufio.NewScanner(conn)
	for input.Scan() {
		messages <- who + ": " + input.Text()
	}
	// NOTE: ignoring potential errors from input.Err()

	leaving <- ch
	messages <- fmt.Sprintf(notices.left, who)
	conn.Close()
}

func clientWriter(conn net.Conn, ch <-chan string) {
	for msg := range ch {
		fmt.Fprintln(conn, msg) // NOTE: ignoring network errors
	}
}
