/* A poll() chat server in C, the way the "non-blocking sockets" tutorials
 * write one: one process, non-blocking sockets, an output buffer per client
 * flushed when poll() says the socket is writable. The name is asked with a
 * prompt in a line of its own ("Enter your nickname:", LF-terminated); the
 * welcome tells how many are online; no echo; no commands.
 *
 *     ./c-poll-nick [-port N] [-bug]     (port 0: prints the port)
 *
 * -bug plants the style's usual bug: every line is written with one bare
 * send() whose short count and EAGAIN are ignored ("send() always sends
 * everything"), so a member whose socket buffer is full loses lines, and a
 * line cut by a short write loses its end (ISOLATION-5).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#define MAXCLIENTS 1024
#define LINEMAX 4096
#define OUTMAX (1 << 20)

struct client {
    int fd, named, dead;
    char name[32];
    char in[LINEMAX + 1];
    size_t inlen;
    char *out;
    size_t outlen, outcap;
};

static struct client *clients[MAXCLIENTS];
static int nclients;
static int bug;
static const char *const prompt = "Enter your nickname:\n";

static void kill_client(struct client *c);

static void queue(struct client *c, const char *s, size_t n) {
    if (c->dead) return;
    if (bug) { send(c->fd, s, n, MSG_NOSIGNAL); return; }
    if (c->outlen + n > OUTMAX) { kill_client(c); return; }  /* too slow */
    if (c->outlen + n > c->outcap) {
        size_t cap = c->outcap ? c->outcap : 4096;
        while (cap < c->outlen + n) cap *= 2;
        c->out = realloc(c->out, cap);
        c->outcap = cap;
    }
    memcpy(c->out + c->outlen, s, n);
    c->outlen += n;
}

static void sendf(struct client *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static char *vfmt(const char *fmt, va_list ap, int *len) {
    va_list ap2; va_copy(ap2, ap);
    int n = vsnprintf(NULL, 0, fmt, ap2); va_end(ap2);
    char *b = malloc(n + 1);
    vsnprintf(b, n + 1, fmt, ap);
    *len = n;
    return b;
}
static void sendf(struct client *c, const char *fmt, ...) {
    va_list ap; va_start(ap, fmt); int n; char *b = vfmt(fmt, ap, &n); va_end(ap);
    queue(c, b, n); free(b);
}
static void broadcastf(struct client *except, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void broadcastf(struct client *except, const char *fmt, ...) {
    va_list ap; va_start(ap, fmt); int n; char *b = vfmt(fmt, ap, &n); va_end(ap);
    for (int i = 0; i < nclients; i++) {
        struct client *o = clients[i];
        if (o != except && o->named && !o->dead) queue(o, b, n);
    }
    free(b);
}

static void kill_client(struct client *c) {
    if (c->dead) return;
    c->dead = 1;
    if (c->named) broadcastf(c, "%s has quit\n", c->name);
}

static int online(void) {
    int n = 0;
    for (int i = 0; i < nclients; i++) n += clients[i]->named && !clients[i]->dead;
    return n;
}

static void handle_line(struct client *c, char *line, size_t len) {
    if (len && line[len - 1] == '\r') line[--len] = 0;
    if (!c->named) {
        size_t j = 0;
        for (size_t i = 0; i < len && j < sizeof c->name - 1; i++) {
            unsigned char ch = line[i];
            if (ch > ' ' && ch != 127) c->name[j++] = ch;  /* no spaces or control chars */
        }
        c->name[j] = 0;
        if (!j) { sendf(c, "%s", prompt); return; }
        c->named = 1;
        sendf(c, "Welcome, %s! %d user(s) online.\n", c->name, online());
        broadcastf(c, "%s has joined\n", c->name);
        return;
    }
    broadcastf(c, "<%s> %.*s\n", c->name, (int)len, line);
}

static void on_readable(struct client *c) {
    ssize_t n = recv(c->fd, c->in + c->inlen, LINEMAX + 1 - c->inlen, 0);
    if (n < 0 && (errno == EAGAIN || errno == EINTR)) return;
    if (n <= 0) {  /* EOF or error: a last line without LF still counts */
        if (n == 0 && c->inlen) { c->in[c->inlen] = 0; handle_line(c, c->in, c->inlen); }
        kill_client(c);
        return;
    }
    c->inlen += n;
    size_t start = 0;
    for (size_t i = 0; i < c->inlen; i++) {
        if (c->in[i] == '\n') {
            c->in[i] = 0;
            handle_line(c, c->in + start, i - start);
            if (c->dead) return;
            start = i + 1;
        }
    }
    memmove(c->in, c->in + start, c->inlen - start);
    c->inlen -= start;
    if (c->inlen > LINEMAX) {
        const char *m = "error: line too long\n";
        send(c->fd, m, strlen(m), MSG_NOSIGNAL);
        kill_client(c);
    }
}

static void on_writable(struct client *c) {
    ssize_t n = send(c->fd, c->out, c->outlen, MSG_NOSIGNAL);
    if (n < 0) { if (errno != EAGAIN && errno != EINTR) kill_client(c); return; }
    memmove(c->out, c->out + n, c->outlen - n);
    c->outlen -= n;
}

int main(int argc, char **argv) {
    int port = 0;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "-port") == 0 && i + 1 < argc)
            port = atoi(argv[++i]);
        else if (strcmp(argv[i], "-bug") == 0)
            bug = 1;
    }
    signal(SIGPIPE, SIG_IGN);
    int ls = socket(AF_INET, SOCK_STREAM, 0), one = 1;
    setsockopt(ls, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons(port)};
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (bind(ls, (struct sockaddr *)&sa, sizeof sa) < 0 || listen(ls, 64) < 0) { perror("listen"); return 1; }
    socklen_t sl = sizeof sa;
    getsockname(ls, (struct sockaddr *)&sa, &sl);
    printf("listening on 127.0.0.1:%d\n", ntohs(sa.sin_port));
    fflush(stdout);
    fcntl(ls, F_SETFL, O_NONBLOCK);

    static struct pollfd pfd[MAXCLIENTS + 1];
    for (;;) {
        pfd[0].fd = ls; pfd[0].events = POLLIN;
        for (int i = 0; i < nclients; i++) {
            pfd[i + 1].fd = clients[i]->fd;
            pfd[i + 1].events = POLLIN | (clients[i]->outlen ? POLLOUT : 0);
            pfd[i + 1].revents = 0;
        }
        int nfds = nclients + 1;
        if (poll(pfd, nfds, -1) < 0) { if (errno == EINTR) continue; perror("poll"); return 1; }
        for (int i = 1; i < nfds; i++) {
            struct client *c = clients[i - 1];
            if (c->dead) continue;
            if (pfd[i].revents & POLLOUT) on_writable(c);
            if (!c->dead && pfd[i].revents & (POLLIN | POLLHUP | POLLERR)) on_readable(c);
        }
        /* reap dead clients after the loop, never while walking the array */
        for (int i = 0; i < nclients;) {
            struct client *c = clients[i];
            if (c->dead) {
                close(c->fd); free(c->out); free(c);
                clients[i] = clients[--nclients];
            } else i++;
        }
        if (pfd[0].revents & POLLIN) {
            for (;;) {
                int fd = accept(ls, NULL, NULL);
                if (fd < 0) break;
                if (nclients == MAXCLIENTS) { close(fd); continue; }
                fcntl(fd, F_SETFL, O_NONBLOCK);
                struct client *c = calloc(1, sizeof *c);
                c->fd = fd;
                clients[nclients++] = c;
                sendf(c, "%s", prompt);
            }
        }
    }
}
