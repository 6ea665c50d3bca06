/*
 * c-select.c: a chat server in C in the style of Beej's guide's selectserver:
 * one process, no threads, select() over a master fd_set, a fixed array of
 * clients, a fixed 1024-byte line buffer per client. Members are known by
 * their address ("127.0.0.1:40694"); a line goes to every member but its
 * sender. Unlike the guide, writes are non-blocking with a bounded queue per
 * client, so a member that stops reading is dropped instead of stalling the
 * room, and a line that overflows the buffer ends its sender's connection.
 *
 * With -bug it has a bug of its style: the recv() error branch (a client that
 * reset) closes the socket and takes it out of the master set but never frees
 * the client's slot: no one is told it left, and the stale slot keeps its fd
 * number, which the next connection gets again.
 *
 *   cc -O2 -Wall -o c-select c-select.c
 *   ./c-select [-port N] [-bug]        (port 0: prints the port it got)
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/select.h>
#include <sys/socket.h>
#include <unistd.h>

#define MAX_CLIENTS 128
#define LINE_BUF 1024          /* a line (CR and LF excluded) is at most 1023 bytes */
#define OUT_MAX (256 * 1024)   /* queued for a client that does not read */

struct client {
    int fd;                    /* -1: free slot */
    int dead;                  /* to be removed at the end of this round */
    char addr[64];
    char in[LINE_BUF];
    size_t inlen;
    char *out;
    size_t outlen;
};

static struct client clients[MAX_CLIENTS];
static fd_set master;
static int fdmax;
static int bug;

static void queue(struct client *c, const char *line, size_t len)
{
    if (c->fd < 0 || c->dead)
        return;
    if (c->outlen + len + 1 > OUT_MAX) {
        c->dead = 1;           /* it does not read: dropped */
        return;
    }
    if (c->out == NULL && (c->out = malloc(OUT_MAX)) == NULL) {
        c->dead = 1;
        return;
    }
    memcpy(c->out + c->outlen, line, len);
    c->out[c->outlen + len] = '\n';
    c->outlen += len + 1;
}

/* Sends a line to every client but `except` (NULL: to all). */
static void broadcast(struct client *except, const char *fmt, ...)
{
    char line[LINE_BUF + 128];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(line, sizeof line, fmt, ap);
    va_end(ap);
    if (n < 0)
        return;
    if ((size_t)n >= sizeof line)
        n = sizeof line - 1;
    for (int i = 0; i < MAX_CLIENTS; i++)
        if (clients[i].fd >= 0 && &clients[i] != except)
            queue(&clients[i], line, (size_t)n);
}

static void tell(struct client *c, const char *text)
{
    queue(c, text, strlen(text));
}

static void flush(struct client *c)
{
    while (c->outlen > 0) {
        ssize_t n = send(c->fd, c->out, c->outlen, MSG_NOSIGNAL);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            if (errno != EAGAIN && errno != EWOULDBLOCK)
                c->dead = 1;   /* gone: removed at the end of this round */
            return;
        }
        memmove(c->out, c->out + n, c->outlen - (size_t)n);
        c->outlen -= (size_t)n;
    }
}

static void remove_client(struct client *c)
{
    char addr[64];
    flush(c);
    close(c->fd);
    FD_CLR(c->fd, &master);
    memcpy(addr, c->addr, sizeof addr);
    c->fd = -1;
    c->dead = 0;
    c->inlen = 0;
    c->outlen = 0;
    broadcast(NULL, "*** %s left", addr);
}

static void handle_line(struct client *c, char *line, size_t len)
{
    if (len > 0 && line[len - 1] == '\r')
        len--;
    broadcast(c, "<%s> %.*s", c->addr, (int)len, line);
}

static void handle_new_connection(int listener)
{
    struct sockaddr_in sa;
    socklen_t salen = sizeof sa;
    int fd = accept(listener, (struct sockaddr *)&sa, &salen);
    if (fd < 0)
        return;
    struct client *c = NULL;
    for (int i = 0; i < MAX_CLIENTS && c == NULL; i++)
        if (clients[i].fd < 0)
            c = &clients[i];
    if (c == NULL || fd >= FD_SETSIZE) {
        const char *full = "*** Error: the server is full\n";
        send(fd, full, strlen(full), MSG_NOSIGNAL);
        close(fd);
        return;
    }
    int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
    char ip[INET_ADDRSTRLEN];
    inet_ntop(AF_INET, &sa.sin_addr, ip, sizeof ip);
    c->fd = fd;
    c->dead = 0;
    c->inlen = 0;
    c->outlen = 0;
    snprintf(c->addr, sizeof c->addr, "%s:%d", ip, ntohs(sa.sin_port));
    FD_SET(fd, &master);
    if (fd > fdmax)
        fdmax = fd;
    char welcome[128];
    snprintf(welcome, sizeof welcome, "*** Welcome to the chat, %s", c->addr);
    tell(c, welcome);
    broadcast(c, "*** %s joined", c->addr);
}

static void handle_data(struct client *c)
{
    ssize_t n = recv(c->fd, c->in + c->inlen, LINE_BUF - c->inlen, 0);
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR))
        return;
    if (n == 0) {
        /* hung up: a last line without LF still counts */
        if (c->inlen > 0)
            handle_line(c, c->in, c->inlen);
        c->dead = 1;
        return;
    }
    if (n < 0) {
        perror("recv");
        if (bug) {
            /* The bug: the socket is closed and cleared, the slot is not. */
            close(c->fd);
            FD_CLR(c->fd, &master);
            return;
        }
        c->dead = 1;
        return;
    }
    c->inlen += (size_t)n;
    char *start = c->in;
    char *end = c->in + c->inlen;
    char *lf;
    while ((lf = memchr(start, '\n', (size_t)(end - start))) != NULL) {
        handle_line(c, start, (size_t)(lf - start));
        start = lf + 1;
    }
    c->inlen = (size_t)(end - start);
    memmove(c->in, start, c->inlen);
    if (c->inlen == LINE_BUF) {
        tell(c, "*** Error: line too long");
        c->dead = 1;
    }
}

int main(int argc, char **argv)
{
    int port = 0;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "-port") == 0 && i + 1 < argc)
            port = atoi(argv[++i]);
        else if (strcmp(argv[i], "-bug") == 0)
            bug = 1;
    }
    signal(SIGPIPE, SIG_IGN);
    for (int i = 0; i < MAX_CLIENTS; i++)
        clients[i].fd = -1;

    int listener = socket(AF_INET, SOCK_STREAM, 0);
    if (listener < 0) {
        perror("socket");
        return 1;
    }
    int yes = 1;
    setsockopt(listener, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof yes);
    struct sockaddr_in sa;
    memset(&sa, 0, sizeof sa);
    sa.sin_family = AF_INET;
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    sa.sin_port = htons((unsigned short)port);
    if (bind(listener, (struct sockaddr *)&sa, sizeof sa) < 0 || listen(listener, 128) < 0) {
        perror("bind/listen");
        return 1;
    }
    socklen_t salen = sizeof sa;
    getsockname(listener, (struct sockaddr *)&sa, &salen);
    printf("listening on 127.0.0.1:%d\n", ntohs(sa.sin_port));
    fflush(stdout);

    FD_ZERO(&master);
    FD_SET(listener, &master);
    fdmax = listener;
    for (;;) {
        fd_set readfds = master, writefds;
        FD_ZERO(&writefds);
        for (int i = 0; i < MAX_CLIENTS; i++)
            if (clients[i].fd >= 0 && clients[i].outlen > 0 && FD_ISSET(clients[i].fd, &master))
                FD_SET(clients[i].fd, &writefds);
        if (select(fdmax + 1, &readfds, &writefds, NULL, NULL) < 0) {
            if (errno == EINTR)
                continue;
            perror("select");
            return 1;
        }
        if (FD_ISSET(listener, &readfds))
            handle_new_connection(listener);
        for (int i = 0; i < MAX_CLIENTS; i++) {
            struct client *c = &clients[i];
            if (c->fd < 0 || c->dead || !FD_ISSET(c->fd, &master))
                continue;
            if (FD_ISSET(c->fd, &readfds))
                handle_data(c);
            if (c->fd >= 0 && !c->dead && FD_ISSET(c->fd, &master) && FD_ISSET(c->fd, &writefds))
                flush(c);
        }
        /* What this round queued goes out now; the departed are announced (which may drop more). */
        for (int again = 1; again;) {
            again = 0;
            for (int i = 0; i < MAX_CLIENTS; i++) {
                struct client *c = &clients[i];
                if (c->fd >= 0 && c->dead) {
                    remove_client(c);
                    again = 1;
                }
            }
        }
        for (int i = 0; i < MAX_CLIENTS; i++)
            if (clients[i].fd >= 0 && clients[i].outlen > 0 && FD_ISSET(clients[i].fd, &master))
                flush(&clients[i]);
    }
}
